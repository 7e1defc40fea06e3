package align

import (
	"math"
	"path/filepath"
	"reflect"
	"strconv"

	"fmt"
	"github.com/tick-llm/tick/transformer/safetensors"
	"math/rand/v2"

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
	if s.p.Algorithm == AlgoPPO {
		return s.ppoIteration(i, r, rng)
	}
	return s.reinforceIteration(i, r)
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

// Files and folders of a saved RL stage.
const (
	rlPolicyDir = "policy"           // the policy (transformer.Model.Save)
	rlValueDir  = "value"            // PPO's value model's transformer
	rlStateFile = "rlhf.safetensors" // the value head and every optimiser moment
)

// moments names the AdamW state o of the parameters params under prefix:
// prefix.m.NAME and prefix.v.NAME, one tensor per parameter.
func moments(prefix string, names []string, o *train.AdamW) []safetensors.Tensor {
	var ts []safetensors.Tensor
	for k, n := range names {
		ts = append(ts,
			safetensors.Tensor{Name: prefix + ".m." + n, Shape: []int{len(o.M[k])}, Data: o.M[k]},
			safetensors.Tensor{Name: prefix + ".v." + n, Shape: []int{len(o.V[k])}, Data: o.V[k]})
	}
	return ts
}

// trainableNames lists m's trainable parameters, in optimiser order.
func trainableNames(m *transformer.Model) []string {
	var names []string
	for _, p := range m.Trainable() {
		names = append(names, p.Name)
	}
	return names
}

// headNames are the value head's two parameters, in its AdamW's order.
var headNames = []string{"w", "b"}

// Save writes the policy into dir/policy, and for PPO the value model's
// transformer into dir/value; dir/rlhf.safetensors holds the value head
// and the moments and step counts of every optimiser. Each file is written
// to a temporary file and renamed.
func (s *rlStage) Save(dir string) error {
	if err := s.policy.Save(filepath.Join(dir, rlPolicyDir)); err != nil {
		return fmt.Errorf("rlhf: save: %w", err)
	}
	ts := moments("policy.adam", trainableNames(s.policy), s.opt.AdamW)
	meta := map[string]string{"algorithm": s.p.Algorithm, "policy.adam.t": strconv.Itoa(s.opt.AdamW.T)}
	if s.value != nil {
		if err := s.value.Model.Save(filepath.Join(dir, rlValueDir)); err != nil {
			return fmt.Errorf("rlhf: save value model: %w", err)
		}
		ts = append(ts, moments("value.adam", trainableNames(s.value.Model), s.valueOpt.AdamW)...)
		ts = append(ts, moments("value.head.adam", headNames, s.valueHead)...)
		ts = append(ts,
			safetensors.Tensor{Name: "value.head.w", Shape: []int{len(s.value.W)}, Data: s.value.W},
			safetensors.Tensor{Name: "value.head.b", Shape: []int{1}, Data: []float64{s.value.B}})
		meta["value.adam.t"] = strconv.Itoa(s.valueOpt.AdamW.T)
		meta["value.head.adam.t"] = strconv.Itoa(s.valueHead.T)
	}
	if err := safetensors.Write(filepath.Join(dir, rlStateFile), ts, meta); err != nil {
		return fmt.Errorf("rlhf: save: %w", err)
	}
	return nil
}

// Load reads back what Save wrote into dir. It checks everything (the
// algorithm, every model's configuration, every tensor's presence and
// shape) before changing anything, so a failed Load leaves the stage as
// it was.
func (s *rlStage) Load(dir string) error {
	path := filepath.Join(dir, rlStateFile)
	tensors, meta, err := safetensors.Read(path)
	if err != nil {
		return fmt.Errorf("rlhf: load: %w", err)
	}
	if meta["algorithm"] != s.p.Algorithm {
		return fmt.Errorf("rlhf: load: %s was saved by the %q algorithm, this stage runs %q: resume with the same --algorithm", path, meta["algorithm"], s.p.Algorithm)
	}
	byName := make(map[string][]float64, len(tensors))
	for _, t := range tensors {
		byName[t.Name] = t.Data
	}
	var copies []func() // applied only once every check has passed
	take := func(name string, dst []float64) error {
		src, ok := byName[name]
		if !ok {
			return fmt.Errorf("rlhf: load: %s has no tensor %q", path, name)
		}
		if len(src) != len(dst) {
			return fmt.Errorf("rlhf: load: tensor %q in %s has %d values, this stage needs %d: it was saved for another model", name, path, len(src), len(dst))
		}
		for k, x := range src {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("rlhf: load: tensor %q in %s holds %g at index %d", name, path, x, k)
			}
		}
		copies = append(copies, func() { copy(dst, src) })
		return nil
	}
	takeMoments := func(prefix string, names []string, o *train.AdamW) error {
		for k, n := range names {
			if err := take(prefix+".m."+n, o.M[k]); err != nil {
				return err
			}
			if err := take(prefix+".v."+n, o.V[k]); err != nil {
				return err
			}
		}
		return nil
	}
	count := func(key string) (int, error) {
		t, err := strconv.Atoi(meta[key])
		if err != nil || t < 0 {
			return 0, fmt.Errorf("rlhf: load: %s: step count %q is %q, not a count", path, key, meta[key])
		}
		return t, nil
	}
	takeModel := func(sub string, m *transformer.Model) error {
		saved, err := transformer.Load(filepath.Join(dir, sub))
		if err != nil {
			return fmt.Errorf("rlhf: load: %w", err)
		}
		if !reflect.DeepEqual(saved.Config, m.Config) {
			return fmt.Errorf("rlhf: load: the model in %s has another configuration than this stage's %s", filepath.Join(dir, sub), sub)
		}
		for k, p := range saved.Params() {
			dst := m.Params()[k].Value
			copies = append(copies, func() { dst.Copy(p.Value) })
		}
		return nil
	}
	if err := takeModel(rlPolicyDir, s.policy); err != nil {
		return err
	}
	if err := takeMoments("policy.adam", trainableNames(s.policy), s.opt.AdamW); err != nil {
		return err
	}
	pt, err := count("policy.adam.t")
	if err != nil {
		return err
	}
	var vt, ht int
	b := []float64{0}
	if s.value != nil {
		if err := takeModel(rlValueDir, s.value.Model); err != nil {
			return err
		}
		if err := takeMoments("value.adam", trainableNames(s.value.Model), s.valueOpt.AdamW); err != nil {
			return err
		}
		if err := takeMoments("value.head.adam", headNames, s.valueHead); err != nil {
			return err
		}
		if err := take("value.head.w", s.value.W); err != nil {
			return err
		}
		if err := take("value.head.b", b); err != nil {
			return err
		}
		if vt, err = count("value.adam.t"); err != nil {
			return err
		}
		if ht, err = count("value.head.adam.t"); err != nil {
			return err
		}
	}
	for _, c := range copies {
		c()
	}
	s.opt.AdamW.T = pt
	if s.value != nil {
		s.value.B, s.valueOpt.AdamW.T, s.valueHead.T = b[0], vt, ht
	}
	return nil
}
