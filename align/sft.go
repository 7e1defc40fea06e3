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

// Sizes are a policy model's size, and its family: Preset "gpt" (the
// default when empty) or "llama" (transformer.Preset).
type Sizes struct {
	Layers, Heads, Dim int
	Preset             string
}

// NewModel builds a small GPT over the chat vocabulary.
func NewModel(s Sizes, seed uint64) (*transformer.Model, error) {
	preset := s.Preset
	if preset == "" {
		preset = "gpt"
	}
	cfg, err := transformer.Preset(preset)
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

// stepRand is the random source of step i of a stage seeded by seed:
// a pure function of (seed, salt, i), so a resumed stage draws what an
// uninterrupted one would (Stage).
func stepRand(seed, salt uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, salt^uint64(i)*0x9e3779b97f4a7c15))
}

// SFTStage is supervised fine-tuning as a Stage: each step draws Batch
// training instructions and, for each, a demonstration concise or chatty
// at random (Demonstration), and makes one optimiser step on the
// cross-entropy of the reply tokens only (Encode masks the prompt).
type SFTStage struct {
	m      *transformer.Model
	opt    *train.Optimizer
	plan   Plan
	byKind [][]Instruction // the training instructions, one slice per kind
	done   int
}

// NewSFTStage prepares SFT of m (changed in place) on trainSet.
func NewSFTStage(m *transformer.Model, trainSet []Instruction, p Plan) (*SFTStage, error) {
	if len(trainSet) == 0 {
		return nil, fmt.Errorf("sft: no training instructions")
	}
	opt, err := NewOptimizer(m, p)
	if err != nil {
		return nil, fmt.Errorf("sft: %w", err)
	}
	return &SFTStage{m: m, opt: opt, plan: p, byKind: groupByKind(trainSet)}, nil
}

// groupByKind splits instructions by kind, kinds in order of first
// appearance.
func groupByKind(ins []Instruction) [][]Instruction {
	index := map[string]int{}
	var out [][]Instruction
	for _, in := range ins {
		k, ok := index[in.Kind]
		if !ok {
			k = len(out)
			index[in.Kind] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], in)
	}
	return out
}

// Name is "sft".
func (s *SFTStage) Name() string { return "sft" }

// Steps is the plan's step count.
func (s *SFTStage) Steps() int { return s.plan.Steps }

// Model is the model being fine-tuned.
func (s *SFTStage) Model() *transformer.Model { return s.m }

// Batch is step i's batch: Batch instructions and demonstrations. Each
// example draws a kind first, all kinds alike, then an instruction of it:
// the 100 additions would otherwise drown among thousands of word
// instructions (Synthetic), and the 24 letters among all of them.
func (s *SFTStage) Batch(i int) (Batch, error) {
	rng := stepRand(s.plan.Seed, 0x5f7, i)
	ins, replies := make([]Instruction, s.plan.Batch), make([]string, s.plan.Batch)
	for k := range ins {
		kind := s.byKind[rng.IntN(len(s.byKind))]
		ins[k] = kind[rng.IntN(len(kind))]
		replies[k] = Demonstration(ins[k], rng.IntN(2) == 0)
	}
	return EncodeText(ins, replies)
}

// Step makes optimiser step i+1 and returns its reply loss (nats per
// reply token), gradient norm and learning rate.
func (s *SFTStage) Step(i int) (map[string]float64, error) {
	b, err := s.Batch(i)
	if err != nil {
		return nil, err
	}
	loss, norm, err := s.opt.Step(i+1, b.X, b.Y, b.B, b.T)
	if err != nil {
		return nil, fmt.Errorf("sft: %w", err)
	}
	s.m.SetTraining(false, 0)
	s.done = i + 1
	return map[string]float64{"loss": loss, "grad_norm": norm, "lr": s.opt.Schedule.LR(i + 1)}, nil
}

// Save writes the model and its AdamW state as a checkpoint into dir.
func (s *SFTStage) Save(dir string) error {
	return saveStage(dir, s.m, s.opt, s.done, stageStateOf(s.Name(), s.plan))
}

// Load reads back what Save wrote.
func (s *SFTStage) Load(dir string) error {
	done, _, err := loadStage(dir, s.m, s.opt, stageStateOf(s.Name(), s.plan))
	s.done = done
	return err
}

// runStage makes every step of st in memory, giving each step's figures
// to log (step from 1): a stage without run folder, for tests and the
// in-memory pipeline.
func runStage(st Stage, log func(step int, figures map[string]float64)) error {
	for i := range st.Steps() {
		f, err := st.Step(i)
		if err != nil {
			return err
		}
		if log != nil {
			log(i+1, f)
		}
	}
	return nil
}

// SFT fine-tunes m on demonstrations of the training instructions: every
// step of an SFTStage, in memory.
func SFT(m *transformer.Model, trainSet []Instruction, p Plan) error {
	st, err := NewSFTStage(m, trainSet, p)
	if err != nil {
		return err
	}
	return runStage(st, p.Log)
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
