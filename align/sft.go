package align

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// Context is the model context the chat task needs: the longest prompt
// and reply with their role tokens fit with room to spare.
const Context = 32

// MaxReply is the most tokens a generated reply may have (with <|end|>).
const MaxReply = 14

// Sizes are a policy model's size.
type Sizes struct{ Layers, Heads, Dim int }

// NewModel builds a small GPT over the chat vocabulary.
func NewModel(s Sizes, seed uint64) (*transformer.Model, error) {
	cfg, err := transformer.Preset("gpt")
	if err != nil {
		return nil, err
	}
	cfg.VocabSize, cfg.Context = VocabSize, Context
	cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = s.Layers, s.Heads, s.Heads, s.Dim, 4*s.Dim
	m, err := transformer.New(cfg, seed)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return m, nil
}

// Batch is B conversations laid out for one Forward: inputs and targets
// (B*T, row-major), with target -1 everywhere but the reply tokens, so the
// loss and every log-probability are on the reply only. ReplyLen counts
// each row's reply tokens (with <|end|>).
type Batch struct {
	X, Y     []int
	B, T     int
	ReplyLen []int
}

// Encode lays out prompt/reply pairs given as token IDs. Each row is the
// prompt then the reply, shifted by one for the targets; the prompt's
// positions and the padding after the reply score nothing.
func Encode(prompts, replies [][]int) (Batch, error) {
	if len(prompts) != len(replies) || len(prompts) == 0 {
		return Batch{}, fmt.Errorf("encode: %d prompts and %d replies", len(prompts), len(replies))
	}
	T := 0
	for i := range prompts {
		T = max(T, len(prompts[i])+len(replies[i])-1)
	}
	if T > Context {
		return Batch{}, fmt.Errorf("encode: a conversation of %d tokens exceeds the context of %d", T+1, Context)
	}
	b := Batch{B: len(prompts), T: T, X: make([]int, len(prompts)*T), Y: make([]int, len(prompts)*T)}
	for i := range prompts {
		seq := append(append([]int(nil), prompts[i]...), replies[i]...)
		x, y := b.X[i*T:(i+1)*T], b.Y[i*T:(i+1)*T]
		for t := range T {
			x[t], y[t] = End, -1 // padding: read <|end|>, score nothing
			if t < len(seq)-1 {
				x[t] = seq[t]
				if t >= len(prompts[i])-1 {
					y[t] = seq[t+1]
				}
			}
		}
		b.ReplyLen = append(b.ReplyLen, len(replies[i]))
	}
	return b, nil
}

// EncodeText is Encode for instructions and reply texts.
func EncodeText(ins []Instruction, replies []string) (Batch, error) {
	p, r := make([][]int, len(ins)), make([][]int, len(ins))
	for i := range ins {
		p[i], r[i] = PromptIDs(ins[i].Prompt), ReplyIDs(replies[i])
	}
	return Encode(p, r)
}

// SeqLogProbs runs m on the batch and returns each row's log-probability
// of its reply, Σₜ log p(replyₜ | earlier tokens). The model keeps the
// activations, so BackwardWeighted can follow.
func SeqLogProbs(m *transformer.Model, b Batch) ([]float64, error) {
	if _, err := m.Forward(b.X, b.Y, b.B, b.T); err != nil {
		return nil, err
	}
	losses := m.PositionLosses()
	lp := make([]float64, b.B)
	for i := range b.B {
		for t := range b.T {
			if b.Y[i*b.T+t] >= 0 {
				lp[i] -= losses[i*b.T+t]
			}
		}
	}
	return lp, nil
}

// rowWeights spreads one weight per row over that row's scored positions.
func rowWeights(b Batch, w []float64) []float64 {
	out := make([]float64, b.B*b.T)
	for i := range b.B {
		for t := range b.T {
			if b.Y[i*b.T+t] >= 0 {
				out[i*b.T+t] = w[i]
			}
		}
	}
	return out
}

// Plan is a training stage's budget.
type Plan struct {
	Steps, Batch int
	LR           float64
	Seed         uint64
	// Log, when set, gets every step's figures (step from 1).
	Log func(step int, figures map[string]float64)
}

// NewOptimizer is AdamW (β 0.9, 0.95, weight decay 0.1, gradients clipped
// to norm 1) with a short warmup and a cosine decay to lr/10: tick train's
// optimiser, shared by every stage.
func NewOptimizer(m *transformer.Model, p Plan) (*train.Optimizer, error) {
	if p.Steps < 1 || p.Batch < 1 || !(p.LR > 0) {
		return nil, fmt.Errorf("training plan: %d steps of %d at learning rate %g; each must be positive", p.Steps, p.Batch, p.LR)
	}
	sched := train.Schedule{Max: p.LR, Min: p.LR / 10, Warmup: min(20, p.Steps/10), Steps: p.Steps}
	return train.NewOptimizer(m, train.NewAdamWFor(m, 0.9, 0.95, 0.1), sched, 1, p.Seed)
}

// SFT fine-tunes m on demonstrations of the training instructions, each
// concise or chatty at random (Demonstration), the cross-entropy on the reply tokens only,
// through train's optimiser step.
func SFT(m *transformer.Model, trainSet []Instruction, p Plan) error {
	opt, err := NewOptimizer(m, p)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(p.Seed, 0x5f7))
	ins, replies := make([]Instruction, p.Batch), make([]string, p.Batch)
	for step := 1; step <= p.Steps; step++ {
		for i := range ins {
			ins[i] = trainSet[rng.IntN(len(trainSet))]
			replies[i] = Demonstration(ins[i], rng.IntN(2) == 0)
		}
		b, err := EncodeText(ins, replies)
		if err != nil {
			return err
		}
		loss, _, err := opt.Step(step, b.X, b.Y, b.B, b.T)
		if err != nil {
			return fmt.Errorf("sft: %w", err)
		}
		if p.Log != nil {
			p.Log(step, map[string]float64{"loss": loss})
		}
	}
	m.SetTraining(false, 0)
	return nil
}

// Reply generates a reply to a prompt, greedily (rng nil: always the most
// likely token) or by sampling at temperature 1, up to <|end|> or MaxReply
// tokens. It returns the reply tokens, <|end|> included when it came.
func Reply(m *transformer.Model, prompt string, rng *rand.Rand) ([]int, error) {
	c := m.NewCache()
	logits, err := c.Prefill(PromptIDs(prompt))
	if err != nil {
		return nil, err
	}
	var out []int
	for len(out) < MaxReply {
		id := pick(logits, rng)
		out = append(out, id)
		if id == End {
			break
		}
		if logits, err = c.Push(id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pick is the argmax of logits (rng nil) or a draw from their softmax,
// over every token but <|user|> and <|assistant|>: a reply holds text and
// ends with <|end|>, it never opens a turn, so every reply is its text.
func pick(logits []float64, rng *rand.Rand) int {
	best := 0
	for v, z := range logits {
		if v < 256 && z > logits[best] || v == End && z > logits[best] {
			best = v
		}
	}
	if rng == nil {
		return best
	}
	sum := 0.0
	for v, z := range logits {
		if v != User && v != Assistant {
			sum += math.Exp(z - logits[best])
		}
	}
	u := rng.Float64() * sum
	for v, z := range logits {
		if v == User || v == Assistant {
			continue
		}
		if u -= math.Exp(z - logits[best]); u <= 0 {
			return v
		}
	}
	return best
}
