package align

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/tick-llm/tick/checkpoint"

	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// RewardModel is a transformer with a scalar head on the last token: the
// reward of a conversation is r = w·h + b, h the final-normed hidden state
// at its closing <|end|> (the output head is unused).
type RewardModel struct {
	Model *transformer.Model
	W     []float64 // Dim
	B     float64
	// GradW and GradB hold the head's gradients after Grad.
	GradW []float64
	GradB float64
}

// NewRewardModel starts a reward model from a copy of m (the SFT model:
// it already reads the chat format) and a zero head, so every reward
// starts at 0.
func NewRewardModel(m *transformer.Model) (*RewardModel, error) {
	c, err := Clone(m)
	if err != nil {
		return nil, err
	}
	D := m.Config.Dim
	return &RewardModel{Model: c, W: make([]float64, D), GradW: make([]float64, D)}, nil
}

// rewardInput lays out whole conversations (prompt, reply, <|end|>),
// padded with <|end|>, and the position of each one's last token.
func rewardInput(ins []Instruction, replies []string) (ids []int, last []int, T int, err error) {
	seqs := make([][]int, len(ins))
	for i := range ins {
		seqs[i] = append(PromptIDs(ins[i].Prompt), ReplyIDs(replies[i])...)
		T = max(T, len(seqs[i]))
	}
	if T > Context {
		return nil, nil, 0, fmt.Errorf("reward: a conversation of %d tokens exceeds the context of %d", T, Context)
	}
	ids = make([]int, len(ins)*T)
	for i, s := range seqs {
		for t := range T {
			ids[i*T+t] = End
		}
		copy(ids[i*T:], s)
		last = append(last, i*T+len(s)-1)
	}
	return ids, last, T, nil
}

// Rewards scores replies to instructions. The model keeps the
// activations, so backward can follow.
func (rm *RewardModel) Rewards(ins []Instruction, replies []string) (r []float64, last []int, err error) {
	ids, last, T, err := rewardInput(ins, replies)
	if err != nil {
		return nil, nil, err
	}
	if _, err := rm.Model.Forward(ids, nil, len(ins), T); err != nil {
		return nil, nil, err
	}
	h, D := rm.Model.Hidden(), rm.Model.Config.Dim
	for _, p := range last {
		s := rm.B
		for j, w := range rm.W {
			s += w * h[p*D+j]
		}
		r = append(r, s)
	}
	return r, last, nil
}

// BTLoss is the Bradley–Terry loss of N pairs of rewards, the chosen
// reply's rc and the rejected one's rr:
//
//	L = mean −log σ(rcᵢ − rrᵢ)
//
// with its gradients with respect to rc and rr, and the fraction of pairs
// ranked right (rc > rr).
func BTLoss(rc, rr []float64) (loss float64, dC, dR []float64, acc float64) {
	n := float64(len(rc))
	dC, dR = make([]float64, len(rc)), make([]float64, len(rc))
	for i := range rc {
		d := rc[i] - rr[i]
		loss -= logSigmoid(d) / n
		g := -sigmoid(-d) / n
		dC[i], dR[i] = g, -g
		if d > 0 {
			acc += 1 / n
		}
	}
	return loss, dC, dR, acc
}

// Grad adds the Bradley–Terry loss's gradient over pairs into the
// transformer's parameter gradients and sets GradW, GradB (zero both
// first). It returns the loss and the pair accuracy.
func (rm *RewardModel) Grad(pairs []Pair) (loss, acc float64, err error) {
	N := len(pairs)
	ins := make([]Instruction, 0, 2*N)
	replies := make([]string, 0, 2*N)
	for _, p := range pairs {
		ins, replies = append(ins, p.Instruction), append(replies, p.Chosen)
	}
	for _, p := range pairs {
		ins, replies = append(ins, p.Instruction), append(replies, p.Rejected)
	}
	r, last, err := rm.Rewards(ins, replies)
	if err != nil {
		return 0, 0, err
	}
	loss, dC, dR, acc := BTLoss(r[:N], r[N:])
	dr := append(dC, dR...)
	h, D := rm.Model.Hidden(), rm.Model.Config.Dim
	dh := make([]float64, len(h))
	clear(rm.GradW)
	rm.GradB = 0
	// r = w·h + b:  ∂r/∂h = w, ∂r/∂w = h, ∂r/∂b = 1
	for i, p := range last {
		for j := range D {
			dh[p*D+j] = dr[i] * rm.W[j]
			rm.GradW[j] += dr[i] * h[p*D+j]
		}
		rm.GradB += dr[i]
	}
	if err := rm.Model.BackwardHidden(dh); err != nil {
		return 0, 0, err
	}
	return loss, acc, nil
}

// PairAccuracy is the fraction of pairs the reward model ranks right.
func (rm *RewardModel) PairAccuracy(pairs []Pair) (float64, error) {
	if len(pairs) == 0 {
		return 0, fmt.Errorf("reward: no pairs to measure")
	}
	rm.Model.SetTraining(false, 0)
	ins, replies := make([]Instruction, 0, 2*len(pairs)), make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		ins, replies = append(ins, p.Instruction, p.Instruction), append(replies, p.Chosen, p.Rejected)
	}
	r, _, err := rm.Rewards(ins, replies)
	if err != nil {
		return 0, err
	}
	right := 0
	for i := 0; i < len(r); i += 2 {
		if r[i] > r[i+1] {
			right++
		}
	}
	return float64(right) / float64(len(pairs)), nil
}

// RewardStage fits a reward model to preference pairs as a Stage: each
// step draws Batch pairs and makes one AdamW step on the Bradley–Terry
// loss, the transformer through train's optimiser step, the scalar head
// with its own AdamW state at the same learning rate.
type RewardStage struct {
	rm    *RewardModel
	opt   *train.Optimizer
	head  *train.AdamW // over [w, b]
	plan  Plan
	pairs []Pair
	done  int
}

// NewRewardStage prepares training rm (changed in place) on pairs.
func NewRewardStage(rm *RewardModel, pairs []Pair, p Plan) (*RewardStage, error) {
	if len(pairs) == 0 {
		return nil, fmt.Errorf("reward: no preference pairs")
	}
	opt, err := NewOptimizer(rm.Model, p)
	if err != nil {
		return nil, fmt.Errorf("reward: %w", err)
	}
	head := train.NewAdamW([]int{len(rm.W), 1}, 0.9, 0.95, 1e-8, 0)
	return &RewardStage{rm: rm, opt: opt, head: head, plan: p, pairs: pairs}, nil
}

// Name is "reward".
func (s *RewardStage) Name() string { return "reward" }

// Steps is the plan's step count.
func (s *RewardStage) Steps() int { return s.plan.Steps }

// RewardModel is the reward model being trained.
func (s *RewardStage) RewardModel() *RewardModel { return s.rm }

// Step makes optimiser step i+1 and returns the batch's Bradley–Terry
// loss, its pair accuracy and the transformer's gradient norm.
func (s *RewardStage) Step(i int) (map[string]float64, error) {
	batch := drawPairs(s.pairs, s.plan.Batch, stepRand(s.plan.Seed, 0x4e3, i))
	var acc float64
	loss, norm, err := s.opt.StepGrad(i+1, func() (float64, error) {
		l, a, err := s.rm.Grad(batch)
		acc = a
		return l, err
	})
	s.rm.Model.SetTraining(false, 0)
	if err != nil {
		return nil, fmt.Errorf("reward: %w", err)
	}
	bv, bg := []float64{s.rm.B}, []float64{s.rm.GradB}
	if err := s.head.Update([][]float64{s.rm.W, bv}, [][]float64{s.rm.GradW, bg}, []bool{false, false}, s.opt.Schedule.LR(i+1)); err != nil {
		return nil, fmt.Errorf("reward head: %w", err)
	}
	s.rm.B = bv[0]
	s.done = i + 1
	return map[string]float64{"loss": loss, "accuracy": acc, "grad_norm": norm}, nil
}

// state is the stage's StageState with the head and its moments.
func (s *RewardStage) state() StageState {
	st := stageStateOf(s.Name(), s.plan)
	st.Head = &HeadState{W: s.rm.W, B: s.rm.B, M: append(append([]float64(nil), s.head.M[0]...), s.head.M[1]...),
		V: append(append([]float64(nil), s.head.V[0]...), s.head.V[1]...), T: s.head.T}
	return st
}

// Save writes the reward transformer, the head and every AdamW moment as
// a checkpoint into dir.
func (s *RewardStage) Save(dir string) error {
	return saveStage(dir, s.rm.Model, s.opt, s.done, s.state())
}

// Load reads back what Save wrote.
func (s *RewardStage) Load(dir string) error {
	done, st, err := loadStage(dir, s.rm.Model, s.opt, stageStateOf(s.Name(), s.plan))
	if err != nil {
		return err
	}
	D := len(s.rm.W)
	if h := st.Head; h == nil || len(h.W) != D || len(h.M) != D+1 || len(h.V) != D+1 {
		return fmt.Errorf("checkpoint %s is damaged: its reward head is missing or not of width %d", dir, D)
	}
	h := st.Head
	copy(s.rm.W, h.W)
	s.rm.B = h.B
	copy(s.head.M[0], h.M[:D])
	copy(s.head.V[0], h.V[:D])
	s.head.M[1][0], s.head.V[1][0], s.head.T = h.M[D], h.V[D], h.T
	s.done = done
	return nil
}

// LoadRewardModel reads a reward model from the run folder (or checkpoint
// folder) a reward stage wrote.
func LoadRewardModel(dir string) (*RewardModel, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reward model %s does not exist: train one with tick align reward --out %s", dir, dir)
	}
	ck, err := checkpoint.LoadRun(dir)
	if err != nil {
		return nil, err
	}
	var sf StageState
	if json.Unmarshal(ck.State.Options, &sf) != nil || sf.Stage != "reward" || sf.Head == nil {
		return nil, fmt.Errorf("%s is not a reward model: give the --out folder of tick align reward", dir)
	}
	D := ck.Model.Config.Dim
	if len(sf.Head.W) != D {
		return nil, fmt.Errorf("reward model %s is damaged: its head has width %d, its model %d", dir, len(sf.Head.W), D)
	}
	return &RewardModel{Model: ck.Model, W: sf.Head.W, B: sf.Head.B, GradW: make([]float64, D)}, nil
}

// TrainReward fits the reward model to preference pairs: every step of a
// RewardStage, in memory.
func TrainReward(rm *RewardModel, pairs []Pair, p Plan) error {
	st, err := NewRewardStage(rm, pairs, p)
	if err != nil {
		return err
	}
	return runStage(st, p.Log)
}
