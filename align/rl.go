package align

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// This file is the RL stage as a Stage: one iteration samples a batch of
// replies, scores them and updates the policy. Two algorithms run it.
//
// REINFORCE with a baseline ("reinforce") uses each batch for one gradient
// step of the policy-gradient surrogate. The return of a reply is
// InstructGPT's: the reward model's score minus β_KL times the reply's
// log-ratio log π(y) − log π_SFT(y) (the sum of the per-token KL terms),
// and the baseline is the batch's mean return.
//
// PPO ("ppo", ppo.go) is InstructGPT's algorithm: per-token rewards, a value
// model, GAE advantages and several epochs of clipped updates per batch.

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

// The RL algorithms RLPlan.Algorithm names.
const (
	AlgoPPO       = "ppo"       // PPO with a value model and GAE, as InstructGPT (the default)
	AlgoREINFORCE = "reinforce" // REINFORCE with the batch-mean return as baseline: no value model
)

// RLPlan is the RL stage's budget and settings. Steps counts iterations
// (a batch of samples each); Batch is the number of replies sampled per
// iteration. Zero fields take the defaults in brackets.
type RLPlan struct {
	Plan
	KLCoef float64 // β_KL: weight of the per-token log-ratio penalty in the reward
	// Algorithm is AlgoPPO (when empty) or AlgoREINFORCE.
	Algorithm string
	// PPOEpochs is how many passes PPO makes over each batch of samples [4].
	PPOEpochs int
	// MiniBatch is the replies in each PPO update [Batch/2, at least 1].
	MiniBatch int
	// ClipEps is PPO's ε: the ratio π/π_old is clipped to [1−ε, 1+ε] [0.2].
	ClipEps float64
	// ValueClip is how far a value may move from the one at sampling time
	// before its loss is clipped [0.2].
	ValueClip float64
	// Gamma and Lambda are GAE's discount γ [1: no discount within a
	// reply, as InstructGPT] and trace decay λ [0.95], each in (0, 1].
	Gamma, Lambda float64
	// ValueLR is the value model's peak learning rate [10·LR: a regression
	// onto returns that starts far from them needs larger steps than the
	// policy, which must stay near SFT].
	ValueLR float64
}

// withDefaults fills the zero fields of p and checks every setting.
func (p RLPlan) withDefaults() (RLPlan, error) {
	if p.Algorithm == "" {
		p.Algorithm = AlgoPPO
	}
	if p.Algorithm != AlgoPPO && p.Algorithm != AlgoREINFORCE {
		return p, fmt.Errorf("rlhf: algorithm %q: want %q or %q", p.Algorithm, AlgoPPO, AlgoREINFORCE)
	}
	if !(p.KLCoef >= 0) {
		return p, fmt.Errorf("rlhf: KL coefficient %g: it must be at least 0", p.KLCoef)
	}
	if p.Steps < 1 || p.Batch < 1 || !(p.LR > 0) {
		return p, fmt.Errorf("rlhf: %d steps of %d replies at learning rate %g; each must be positive", p.Steps, p.Batch, p.LR)
	}
	if p.PPOEpochs == 0 {
		p.PPOEpochs = 4
	}
	if p.MiniBatch == 0 {
		p.MiniBatch = max(1, p.Batch/2)
	}
	if p.ClipEps == 0 {
		p.ClipEps = 0.2
	}
	if p.ValueClip == 0 {
		p.ValueClip = 0.2
	}
	if p.Gamma == 0 {
		p.Gamma = 1
	}
	if p.Lambda == 0 {
		p.Lambda = 0.95
	}
	if p.ValueLR == 0 {
		p.ValueLR = 10 * p.LR
	}
	switch {
	case p.PPOEpochs < 1:
		return p, fmt.Errorf("rlhf: %d PPO epochs: it must be at least 1", p.PPOEpochs)
	case p.MiniBatch < 1 || p.MiniBatch > p.Batch:
		return p, fmt.Errorf("rlhf: minibatch of %d replies: it must be between 1 and the batch, %d", p.MiniBatch, p.Batch)
	case !(p.ClipEps > 0 && p.ClipEps < 1):
		return p, fmt.Errorf("rlhf: clip ε %g: it must be in (0, 1) (try 0.2)", p.ClipEps)
	case !(p.ValueClip > 0):
		return p, fmt.Errorf("rlhf: value clip %g: it must be positive (try 0.2)", p.ValueClip)
	case !(p.Gamma > 0 && p.Gamma <= 1):
		return p, fmt.Errorf("rlhf: GAE γ %g: it must be in (0, 1] (try 1)", p.Gamma)
	case !(p.Lambda > 0 && p.Lambda <= 1):
		return p, fmt.Errorf("rlhf: GAE λ %g: it must be in (0, 1] (try 0.95)", p.Lambda)
	case !(p.ValueLR > 0):
		return p, fmt.Errorf("rlhf: value learning rate %g: it must be positive", p.ValueLR)
	}
	return p, nil
}

// updates is the number of optimiser steps one iteration makes.
func (p RLPlan) updates() int {
	if p.Algorithm == AlgoREINFORCE {
		return 1
	}
	return p.PPOEpochs * ((p.Batch + p.MiniBatch - 1) / p.MiniBatch)
}

// rlStage is the RL stage: the policy it trains, the frozen SFT model and
// reward model, and for PPO the value model.
type rlStage struct {
	policy, ref *transformer.Model
	rm          *RewardModel
	prompts     []Instruction
	p           RLPlan
	opt         *train.Optimizer // the policy's
	// PPO only (nil for REINFORCE): the value model, the optimiser of its
	// transformer and the AdamW state of its head.
	value     *ValueModel
	valueOpt  *train.Optimizer
	valueHead *train.AdamW
	done      int // iterations done: the next is Step(done)
}

// NewRLStage returns the RL stage training policy (a copy of the SFT
// model) against the reward model rm, with a per-token KL penalty towards
// ref (the frozen SFT model), on the training prompts. Step(i) samples
// p.Batch replies to prompts drawn with a source seeded by (p.Seed, i),
// scores them and updates the policy (and, for PPO, the value model, which
// starts as a copy of the reward model).
func NewRLStage(policy, ref *transformer.Model, rm *RewardModel, prompts []Instruction, p RLPlan) (Stage, error) {
	return newRLStage(policy, ref, rm, prompts, p)
}

func newRLStage(policy, ref *transformer.Model, rm *RewardModel, prompts []Instruction, p RLPlan) (*rlStage, error) {
	p, err := p.withDefaults()
	if err != nil {
		return nil, err
	}
	switch {
	case policy == nil || ref == nil || rm == nil || rm.Model == nil:
		return nil, fmt.Errorf("rlhf: the policy, the reference (SFT) model and the reward model are all required")
	case policy == ref:
		return nil, fmt.Errorf("rlhf: the policy and the reference are the same model; pass a copy of the SFT model as the policy (align.Clone)")
	case len(prompts) == 0:
		return nil, fmt.Errorf("rlhf: no training prompts")
	}
	for _, c := range []struct {
		what string
		m    *transformer.Model
	}{{"policy", policy}, {"reference", ref}, {"reward model", rm.Model}} {
		if c.m.Config.VocabSize != VocabSize {
			return nil, fmt.Errorf("rlhf: the %s has a vocabulary of %d tokens, not the chat vocabulary of %d: it was not trained for this task", c.what, c.m.Config.VocabSize, VocabSize)
		}
		if c.m.Config.Context < Context {
			return nil, fmt.Errorf("rlhf: the %s's context is %d tokens; the chat task needs %d", c.what, c.m.Config.Context, Context)
		}
	}
	if len(rm.W) != rm.Model.Config.Dim {
		return nil, fmt.Errorf("rlhf: the reward head has %d weights for a model of width %d", len(rm.W), rm.Model.Config.Dim)
	}
	plan := p.Plan
	plan.Steps *= p.updates() // the schedule counts optimiser steps
	opt, err := NewOptimizer(policy, plan)
	if err != nil {
		return nil, fmt.Errorf("rlhf: %w", err)
	}
	s := &rlStage{policy: policy, ref: ref, rm: rm, prompts: prompts, p: p, opt: opt}
	if p.Algorithm == AlgoPPO {
		if s.value, err = NewValueModel(rm); err != nil {
			return nil, fmt.Errorf("rlhf: %w", err)
		}
		vp := plan
		vp.LR = p.ValueLR
		if s.valueOpt, err = NewOptimizer(s.value.Model, vp); err != nil {
			return nil, fmt.Errorf("rlhf: value model: %w", err)
		}
		s.valueHead = train.NewAdamW([]int{len(s.value.W), 1}, 0.9, 0.95, 1e-8, 0)
	}
	ref.SetTraining(false, 0)
	rm.Model.SetTraining(false, 0)
	return s, nil
}

// Name is "rlhf".
func (s *rlStage) Name() string { return "rlhf" }

// Steps is the number of iterations, each a batch of samples.
func (s *rlStage) Steps() int { return s.p.Steps }

// rollout is one iteration's batch of sampled replies, with what was
// measured on them before any update.
type rollout struct {
	ins     []Instruction
	prompts [][]int // prompt tokens of each reply
	replies [][]int // sampled reply tokens, <|end|> included when it came
	texts   []string
	judge   float64   // mean judge score of the samples
	score   []float64 // reward model's score of each reply
	b       Batch     // prompts and replies laid out for Forward
}

// iterRNG is the source of iteration i's randomness (prompts, samples,
// minibatch order): a pure function of the seed and i, so a resumed run
// draws what an uninterrupted one would.
func (s *rlStage) iterRNG(i int) *rand.Rand {
	return rand.New(rand.NewPCG(s.p.Seed^0x71f, uint64(i)))
}

// sample draws the prompts of iteration i and samples the policy's
// replies, which the judge and the reward model score.
func (s *rlStage) sample(rng *rand.Rand) (*rollout, error) {
	N := s.p.Batch
	r := &rollout{ins: make([]Instruction, N), prompts: make([][]int, N), replies: make([][]int, N), texts: make([]string, N)}
	s.policy.SetTraining(false, 0)
	for i := range N {
		r.ins[i] = s.prompts[rng.IntN(len(s.prompts))]
		ids, err := Reply(s.policy, r.ins[i].Prompt, rng)
		if err != nil {
			return nil, fmt.Errorf("rlhf: sampling: %w", err)
		}
		r.prompts[i], r.replies[i], r.texts[i] = PromptIDs(r.ins[i].Prompt), ids, DecodeReply(ids)
		r.judge += Judge(r.ins[i], r.texts[i]) / float64(N)
	}
	var err error
	if r.b, err = Encode(r.prompts, r.replies); err != nil {
		return nil, fmt.Errorf("rlhf: %w", err)
	}
	if r.score, _, err = s.rm.Rewards(r.ins, r.texts); err != nil {
		return nil, fmt.Errorf("rlhf: reward model: %w", err)
	}
	return r, nil
}

// Step runs iteration i: sample, score, update. Its figures are the mean
// reward-model score, the mean judge score of the samples (which the
// policy never sees), the mean KL per reply from the SFT model, the mean
// return and the policy loss; PPO adds the clip fraction, the value loss,
// the value model's explained variance and the policy's entropy.
func (s *rlStage) Step(i int) (map[string]float64, error) {
	if i < 0 || i >= s.p.Steps {
		return nil, fmt.Errorf("rlhf: step %d outside [0, %d)", i, s.p.Steps)
	}
	rng := s.iterRNG(i)
	r, err := s.sample(rng)
	if err != nil {
		return nil, err
	}
	var f map[string]float64
	if s.p.Algorithm == AlgoPPO {
		f, err = s.ppoIteration(i, r, rng)
	} else {
		f, err = s.reinforceIteration(i, r)
	}
	if err != nil {
		return nil, err
	}
	s.done = i + 1
	return f, nil
}

// reinforceIteration is one REINFORCE step on the rollout: the return of
// each reply is its score minus β_KL times its log-ratio, the advantage
// the return minus the batch's mean return.
func (s *rlStage) reinforceIteration(i int, r *rollout) (map[string]float64, error) {
	N := s.p.Batch
	lr, err := SeqLogProbs(s.ref, r.b)
	if err != nil {
		return nil, fmt.Errorf("rlhf: %w", err)
	}
	lp, err := SeqLogProbs(s.policy, r.b)
	if err != nil {
		return nil, fmt.Errorf("rlhf: %w", err)
	}
	ret := make([]float64, N)
	var meanKL, meanRet float64
	for k := range N {
		kl := lp[k] - lr[k]
		ret[k] = r.score[k] - s.p.KLCoef*kl
		meanKL, meanRet = meanKL+kl/float64(N), meanRet+ret[k]/float64(N)
	}
	adv := make([]float64, N)
	for k := range N {
		adv[k] = ret[k] - meanRet // the baseline: the batch's mean return
	}
	loss, _, err := s.opt.StepGrad(i+1, func() (float64, error) { return PolicyGrad(s.policy, r.b, adv) })
	if err != nil {
		return nil, fmt.Errorf("rlhf: %w", err)
	}
	s.policy.SetTraining(false, 0)
	return map[string]float64{"reward": r.score0(), "judge": r.judge, "kl": meanKL, "return": meanRet, "loss": loss}, nil
}

// score0 is the mean reward-model score of the rollout.
func (r *rollout) score0() float64 {
	m := 0.0
	for _, x := range r.score {
		m += x / float64(len(r.score))
	}
	return m
}

// RLHF runs the whole RL stage (NewRLStage, then every Step), giving each
// iteration's figures to p.Log (step from 1).
func RLHF(m, ref *transformer.Model, rm *RewardModel, trainSet []Instruction, p RLPlan) error {
	s, err := NewRLStage(m, ref, rm, trainSet, p)
	if err != nil {
		return err
	}
	for i := range s.Steps() {
		f, err := s.Step(i)
		if err != nil {
			return err
		}
		if p.Log != nil {
			p.Log(i+1, f)
		}
	}
	m.SetTraining(false, 0)
	return nil
}

// rlValueDir is the folder inside an RL checkpoint that holds PPO's value
// model, itself a checkpoint.
const rlValueDir = "value"

// rlState is what an RL checkpoint's state.json records as its options:
// the stage's budget (StageState, so tools reading any stage's checkpoint
// read this one) and every RL setting, which a resumed run must share.
type rlState struct {
	StageState
	KLCoef    float64 `json:"kl_coef"`
	Algorithm string  `json:"algorithm"`
	PPOEpochs int     `json:"ppo_epochs"`
	MiniBatch int     `json:"minibatch"`
	ClipEps   float64 `json:"clip_eps"`
	ValueClip float64 `json:"value_clip"`
	Gamma     float64 `json:"gamma"`
	Lambda    float64 `json:"lambda"`
	ValueLR   float64 `json:"value_lr"`
}

// state is the rlState of this stage.
func (s *rlStage) state() rlState {
	p := s.p
	return rlState{stageStateOf(s.Name(), p.Plan), p.KLCoef, p.Algorithm, p.PPOEpochs, p.MiniBatch, p.ClipEps, p.ValueClip, p.Gamma, p.Lambda, p.ValueLR}
}

// valueState is the StageState of the value model's checkpoint, with its
// head and the head's AdamW moments.
func (s *rlStage) valueState() StageState {
	vp := s.p.Plan
	vp.LR = s.p.ValueLR
	st := stageStateOf(s.Name()+"-value", vp)
	h := s.valueHead
	st.Head = &HeadState{W: s.value.W, B: s.value.B, M: append(append([]float64(nil), h.M[0]...), h.M[1]...),
		V: append(append([]float64(nil), h.V[0]...), h.V[1]...), T: h.T}
	return st
}

// Save writes the stage as a checkpoint into dir, in tick train's format
// (so the policy loads with checkpoint.LoadModel, and `tick generate` and
// `tick chat` read it): the policy, its AdamW moments, the chat tokenizer
// and state.json with the steps done and every RL setting. For PPO, dir/value
// is a second checkpoint inside it (checkpoint.Checkpoint.Inside): the value
// model, its moments, its head and the head's moments. Both are written in
// one temporary folder renamed into place, so a save interrupted at any
// moment leaves the previous pair or the new one, never one of each.
func (s *rlStage) Save(dir string) error {
	ck, err := stageCheckpoint(s.policy, s.opt, s.done, s.state())
	if err != nil {
		return err
	}
	if s.value != nil {
		vck, err := stageCheckpoint(s.value.Model, s.valueOpt, s.done, s.valueState())
		if err != nil {
			return fmt.Errorf("rlhf: value model: %w", err)
		}
		ck.Inside = map[string]*checkpoint.Checkpoint{rlValueDir: vck}
	}
	if err := checkpoint.Save(dir, ck); err != nil {
		return fmt.Errorf("rlhf: %w", err)
	}
	return nil
}

// Load reads back what Save wrote into dir. A checkpoint of other RL
// settings is refused before anything changes.
func (s *rlStage) Load(dir string) error {
	_, cs, err := checkpoint.ReadState(dir)
	if err != nil {
		return err
	}
	var saved rlState
	if err := json.Unmarshal(cs.Options, &saved); err != nil || saved.Stage != s.Name() {
		return fmt.Errorf("checkpoint %s is not an rlhf stage checkpoint; give the --out folder of an rlhf run", dir)
	}
	if want := s.state(); saved != want {
		return fmt.Errorf("cannot resume %s with other settings: it ran %+v, now %+v: give the same flags, or use a new --out", dir, saved, want)
	}
	vdir := filepath.Join(dir, rlValueDir)
	if s.value != nil {
		// Check the value checkpoint is whole before the policy changes.
		_, vs, err := checkpoint.ReadState(vdir)
		if err != nil {
			return fmt.Errorf("rlhf: the value model of %s: %w", dir, err)
		}
		if vs.Step != cs.Step {
			return fmt.Errorf("checkpoint %s is damaged: its value model is at step %d, its policy at %d (a save was interrupted); resume from an earlier checkpoint", dir, vs.Step, cs.Step)
		}
	}
	done, _, err := loadStage(dir, s.policy, s.opt, s.state().StageState)
	if err != nil {
		return err
	}
	if s.value != nil {
		vd, st, err := loadStage(vdir, s.value.Model, s.valueOpt, s.valueState())
		if err != nil {
			return err
		}
		D := len(s.value.W)
		if h := st.Head; vd != done || h == nil || len(h.W) != D || len(h.M) != D+1 || len(h.V) != D+1 {
			return fmt.Errorf("checkpoint %s is damaged: its value head is missing or not of width %d", vdir, D)
		}
		h, o := st.Head, s.valueHead
		copy(s.value.W, h.W)
		s.value.B = h.B
		copy(o.M[0], h.M[:D])
		copy(o.V[0], h.V[:D])
		o.M[1][0], o.V[1][0], o.T = h.M[D], h.V[D], h.T
	}
	s.done = done
	return nil
}
