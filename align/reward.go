package align

import (
	"fmt"
	"math/rand/v2"

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

// TrainReward fits the reward model to preference pairs with AdamW: the
// transformer through train's optimiser step, the scalar head with its own
// AdamW state at the same learning rate.
func TrainReward(rm *RewardModel, pairs []Pair, p Plan) error {
	if len(pairs) == 0 {
		return fmt.Errorf("reward: no preference pairs")
	}
	opt, err := NewOptimizer(rm.Model, p)
	if err != nil {
		return err
	}
	head := train.NewAdamW([]int{len(rm.W), 1}, 0.9, 0.95, 1e-8, 0)
	bv, bg := []float64{rm.B}, []float64{0}
	rng := rand.New(rand.NewPCG(p.Seed, 0x4e3))
	batch := make([]Pair, p.Batch)
	for step := 1; step <= p.Steps; step++ {
		for i := range batch {
			batch[i] = pairs[rng.IntN(len(pairs))]
		}
		var acc float64
		loss, _, err := opt.StepGrad(step, func() (float64, error) {
			l, a, err := rm.Grad(batch)
			acc = a
			return l, err
		})
		if err != nil {
			return fmt.Errorf("reward: %w", err)
		}
		bv[0], bg[0] = rm.B, rm.GradB
		if err := head.Update([][]float64{rm.W, bv}, [][]float64{rm.GradW, bg}, []bool{false, false}, opt.Schedule.LR(step)); err != nil {
			return fmt.Errorf("reward head: %w", err)
		}
		rm.B = bv[0]
		if p.Log != nil {
			p.Log(step, map[string]float64{"loss": loss, "accuracy": acc})
		}
	}
	rm.Model.SetTraining(false, 0)
	return nil
}
