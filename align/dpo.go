package align

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// Pair is a preference: two replies to one instruction, the judge scoring
// Chosen above Rejected.
type Pair struct {
	Instruction
	Chosen, Rejected string
}

// logSigmoid is log σ(z), computed without overflow for either sign.
func logSigmoid(z float64) float64 {
	if z >= 0 {
		return -math.Log1p(math.Exp(-z))
	}
	return z - math.Log1p(math.Exp(z))
}

// sigmoid is σ(z) = 1/(1+e^−z).
func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// DPOLoss is the direct preference optimisation loss over N pairs given
// the policy's and the reference's reply log-probabilities:
//
//	zᵢ = β·((log π(cᵢ) − log πref(cᵢ)) − (log π(rᵢ) − log πref(rᵢ)))
//	L  = mean −log σ(zᵢ)
//
// It returns L, ∂L/∂log π(cᵢ) and ∂L/∂log π(rᵢ), and the mean implicit
// reward margin mean zᵢ. When the policy is the reference every zᵢ is 0
// and L = ln 2.
func DPOLoss(pc, pr, refC, refR []float64, beta float64) (loss float64, dC, dR []float64, margin float64) {
	n := float64(len(pc))
	dC, dR = make([]float64, len(pc)), make([]float64, len(pc))
	for i := range pc {
		z := beta * ((pc[i] - refC[i]) - (pr[i] - refR[i]))
		loss -= logSigmoid(z) / n
		margin += z / n
		g := -beta * sigmoid(-z) / n // ∂(−log σ(z))/∂z = −σ(−z)
		dC[i], dR[i] = g, -g
	}
	return loss, dC, dR, margin
}

// drawPairs draws n pairs at random (with replacement): one step's batch.
func drawPairs(pairs []Pair, n int, rng *rand.Rand) []Pair {
	batch := make([]Pair, n)
	for k := range batch {
		batch[k] = pairs[rng.IntN(len(pairs))]
	}
	return batch
}

// pairBatch lays out the chosen replies as rows 0..N-1 and the rejected
// ones as rows N..2N-1 of one batch.
func pairBatch(pairs []Pair) (Batch, error) {
	ins := make([]Instruction, 0, 2*len(pairs))
	replies := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		ins, replies = append(ins, p.Instruction), append(replies, p.Chosen)
	}
	for _, p := range pairs {
		ins, replies = append(ins, p.Instruction), append(replies, p.Rejected)
	}
	return EncodeText(ins, replies)
}

// DPOGrad adds the gradient of the DPO loss of pairs into m's parameter
// gradients, with ref the frozen reference, and returns the loss and the
// mean implicit reward margin. The gradient reaches the model through
// BackwardWeighted: log π(y) = −Σₜ lossₜ, so each position of a row gets
// the weight −∂L/∂log π(row).
func DPOGrad(m, ref *transformer.Model, pairs []Pair, beta float64) (loss, margin float64, err error) {
	if !(beta > 0) {
		return 0, 0, fmt.Errorf("dpo: β %g: it must be positive (try 0.1)", beta)
	}
	b, err := pairBatch(pairs)
	if err != nil {
		return 0, 0, err
	}
	lr, err := SeqLogProbs(ref, b)
	if err != nil {
		return 0, 0, err
	}
	lp, err := SeqLogProbs(m, b)
	if err != nil {
		return 0, 0, err
	}
	N := len(pairs)
	loss, dC, dR, margin := DPOLoss(lp[:N], lp[N:], lr[:N], lr[N:], beta)
	w := make([]float64, 2*N)
	for i := range N {
		w[i], w[N+i] = -dC[i], -dR[i]
	}
	if err := m.BackwardWeighted(rowWeights(b, w)); err != nil {
		return 0, 0, err
	}
	return loss, margin, nil
}

// DPOStage is direct preference optimisation as a Stage: each step draws
// Batch pairs and makes one AdamW step on the DPO loss of the policy
// against the frozen reference (the SFT model).
type DPOStage struct {
	m, ref *transformer.Model
	opt    *train.Optimizer
	plan   Plan
	beta   float64
	pairs  []Pair
	done   int
}

// NewDPOStage prepares DPO of m (changed in place) against ref on pairs
// with β beta.
func NewDPOStage(m, ref *transformer.Model, pairs []Pair, beta float64, p Plan) (*DPOStage, error) {
	if len(pairs) == 0 {
		return nil, fmt.Errorf("dpo: no preference pairs")
	}
	if !(beta > 0) || math.IsInf(beta, 0) {
		return nil, fmt.Errorf("dpo: β %g: it must be positive and finite (try 0.1)", beta)
	}
	if m.Config != ref.Config {
		return nil, fmt.Errorf("dpo: the policy and the reference differ in shape (%+v, %+v)", m.Config, ref.Config)
	}
	opt, err := NewOptimizer(m, p)
	if err != nil {
		return nil, fmt.Errorf("dpo: %w", err)
	}
	ref.SetTraining(false, 0)
	return &DPOStage{m: m, ref: ref, opt: opt, plan: p, beta: beta, pairs: pairs}, nil
}

// Name is "dpo".
func (s *DPOStage) Name() string { return "dpo" }

// Steps is the plan's step count.
func (s *DPOStage) Steps() int { return s.plan.Steps }

// Model is the policy being trained.
func (s *DPOStage) Model() *transformer.Model { return s.m }

// Step makes optimiser step i+1 and returns the batch's DPO loss, its
// mean implicit reward margin and the gradient norm.
func (s *DPOStage) Step(i int) (map[string]float64, error) {
	batch := drawPairs(s.pairs, s.plan.Batch, stepRand(s.plan.Seed, 0xd90, i))
	var margin float64
	loss, norm, err := s.opt.StepGrad(i+1, func() (float64, error) {
		l, mg, err := DPOGrad(s.m, s.ref, batch, s.beta)
		margin = mg
		return l, err
	})
	s.m.SetTraining(false, 0)
	if err != nil {
		return nil, fmt.Errorf("dpo: %w", err)
	}
	s.done = i + 1
	return map[string]float64{"loss": loss, "margin": margin, "grad_norm": norm}, nil
}

func (s *DPOStage) state() StageState {
	st := stageStateOf(s.Name(), s.plan)
	st.Beta = s.beta
	return st
}

// Save writes the policy and its AdamW state as a checkpoint into dir
// (the reference is the SFT run, read again on resume).
func (s *DPOStage) Save(dir string) error {
	return saveStage(dir, s.m, s.opt, s.done, s.state())
}

// Load reads back what Save wrote.
func (s *DPOStage) Load(dir string) error {
	done, _, err := loadStage(dir, s.m, s.opt, s.state())
	s.done = done
	return err
}

// DPO trains m on preference pairs against the frozen reference ref (the
// SFT model): every step of a DPOStage, in memory.
func DPO(m, ref *transformer.Model, pairs []Pair, beta float64, p Plan) error {
	st, err := NewDPOStage(m, ref, pairs, beta, p)
	if err != nil {
		return err
	}
	return runStage(st, p.Log)
}

// Clone returns a copy of m with its own parameters (a frozen reference).
func Clone(m *transformer.Model) (*transformer.Model, error) {
	c, err := transformer.NewZero(m.Config)
	if err != nil {
		return nil, err
	}
	for i, p := range m.Params() {
		c.Params()[i].Value.Copy(p.Value)
	}
	return c, nil
}

// SamplePairs samples k replies from the SFT model to each instruction,
// has the judge score them, and keeps for each instruction the best and
// the worst reply when their scores differ: preference pairs ranked by the
// judge, as raters would rank a model's own samples.
func SamplePairs(m *transformer.Model, ins []Instruction, k int, seed uint64) ([]Pair, error) {
	return samplePairs(m, ins, k, seed, nil)
}

// samplePairs is SamplePairs, calling each (when set) after instruction i
// (from 1) with the pairs kept so far.
func samplePairs(m *transformer.Model, ins []Instruction, k int, seed uint64, each func(i, pairs int)) ([]Pair, error) {
	rng := rand.New(rand.NewPCG(seed, 0x9a1))
	var pairs []Pair
	for n, in := range ins {
		best, worst := "", ""
		bs, ws := -1.0, 2.0
		for range k {
			ids, err := Reply(m, in.Prompt, rng)
			if err != nil {
				return nil, err
			}
			if len(ids) == 0 || ids[len(ids)-1] != End {
				continue // no <|end|> in MaxReply tokens: not a whole reply
			}
			r := DecodeReply(ids)
			s := Judge(in, r)
			if s > bs {
				best, bs = r, s
			}
			if s < ws {
				worst, ws = r, s
			}
		}
		if bs > ws {
			pairs = append(pairs, Pair{in, best, worst})
		}
		if each != nil {
			each(n+1, len(pairs))
		}
	}
	return pairs, nil
}
