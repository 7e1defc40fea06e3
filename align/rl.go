package align

import (
	"fmt"
	"math/rand/v2"

	"github.com/tick-llm/tick/transformer"
)

// This file is the RL stage. It is REINFORCE with a baseline and a KL
// penalty, not PPO: each batch of sampled replies is used for one gradient
// step (so PPO's ratio would be 1 and its clip would never act), there is
// no value head, and the baseline is the batch's mean return. The reward
// is InstructGPT's: the reward model's score minus β_KL times the reply's
// log-ratio log π(y) − log π_SFT(y), the sum of the per-token KL terms.

// PolicyGrad adds into m's gradients the gradient of the policy-gradient
// surrogate over sampled replies with fixed advantages a:
//
//	L = −(1/N) Σᵢ aᵢ · log π(yᵢ)
//
// whose gradient is the REINFORCE estimate of −∇ E[return]. b holds the
// prompts and the sampled replies. It returns L.
func PolicyGrad(m *transformer.Model, b Batch, a []float64) (float64, error) {
	lp, err := SeqLogProbs(m, b)
	if err != nil {
		return 0, err
	}
	n := float64(b.B)
	loss := 0.0
	w := make([]float64, b.B)
	for i := range lp {
		loss -= a[i] * lp[i] / n
		w[i] = a[i] / n // ∂L/∂lossₜ with lossₜ = −log p(yₜ)
	}
	return loss, m.BackwardWeighted(rowWeights(b, w))
}

// RLPlan adds the KL coefficient to a training plan.
type RLPlan struct {
	Plan
	KLCoef float64 // β_KL: weight of the log-ratio penalty in the return
	// PPOEpochs, when positive, replaces the REINFORCE step by that many
	// optimiser steps of PPO's clipped surrogate (PPOGrad, ε = 0.2) on each
	// batch of samples, still without a value head: the advantage is the
	// return minus the batch mean. The schedule then counts Steps·PPOEpochs.
	PPOEpochs int
}

// RLHF trains the policy m against the reward model rm with a KL penalty
// towards the frozen SFT model ref, on the training instructions. Every
// step logs the mean reward-model score, the mean judge score of the
// samples (which the policy never sees), the mean KL of the samples from
// ref, the mean return and the surrogate loss.
func RLHF(m, ref *transformer.Model, rm *RewardModel, trainSet []Instruction, p RLPlan) error {
	if p.KLCoef < 0 {
		return fmt.Errorf("rlhf: KL coefficient %g: it must be at least 0", p.KLCoef)
	}
	plan := p.Plan
	if p.PPOEpochs > 0 {
		plan.Steps *= p.PPOEpochs
	}
	opt, err := NewOptimizer(m, plan)
	if err != nil {
		return err
	}
	ref.SetTraining(false, 0)
	rm.Model.SetTraining(false, 0)
	rng := rand.New(rand.NewPCG(p.Seed, 0x71f))
	N := p.Batch
	ins := make([]Instruction, N)
	prompts, replies, texts := make([][]int, N), make([][]int, N), make([]string, N)
	for step := 1; step <= p.Steps; step++ {
		m.SetTraining(false, 0)
		judge := 0.0
		for i := range N {
			ins[i] = trainSet[rng.IntN(len(trainSet))]
			ids, err := Reply(m, ins[i].Prompt, rng)
			if err != nil {
				return err
			}
			prompts[i], replies[i], texts[i] = PromptIDs(ins[i].Prompt), ids, DecodeReply(ids)
			judge += Judge(ins[i], texts[i]) / float64(N)
		}
		b, err := Encode(prompts, replies)
		if err != nil {
			return err
		}
		r, _, err := rm.Rewards(ins, texts)
		if err != nil {
			return err
		}
		lr, err := SeqLogProbs(ref, b)
		if err != nil {
			return err
		}
		lp, err := SeqLogProbs(m, b)
		if err != nil {
			return err
		}
		ret := make([]float64, N)
		var meanR, meanKL, meanRet float64
		for i := range N {
			kl := lp[i] - lr[i]
			ret[i] = r[i] - p.KLCoef*kl
			meanR, meanKL, meanRet = meanR+r[i]/float64(N), meanKL+kl/float64(N), meanRet+ret[i]/float64(N)
		}
		adv := make([]float64, N)
		for i := range N {
			adv[i] = ret[i] - meanRet // the baseline: the batch's mean return
		}
		var loss, clip float64
		if p.PPOEpochs > 0 {
			old := make([]float64, len(b.Y))
			for i, l := range m.PositionLosses() { // the last forward was m's, on b
				old[i] = -l
			}
			for k := range p.PPOEpochs {
				loss, _, err = opt.StepGrad((step-1)*p.PPOEpochs+k+1, func() (float64, error) {
					l, c, err := PPOGrad(m, b, old, adv, 0.2)
					clip = c
					return l, err
				})
				if err != nil {
					return fmt.Errorf("rlhf: %w", err)
				}
			}
		} else if loss, _, err = opt.StepGrad(step, func() (float64, error) { return PolicyGrad(m, b, adv) }); err != nil {
			return fmt.Errorf("rlhf: %w", err)
		}
		if p.Log != nil {
			f := map[string]float64{"reward": meanR, "judge": judge, "kl": meanKL, "return": meanRet, "loss": loss}
			if p.PPOEpochs > 0 {
				f["clip"] = clip // of the last epoch
			}
			p.Log(step, f)
		}
	}
	m.SetTraining(false, 0)
	return nil
}
