package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// learner trains a model on the task with AdamW, scoring only the answer
// digits: the targets of the prompt positions are -1, because a and b are
// random and predicting them would only add noise to the loss.
type learner struct {
	task          task
	model         *transformer.Model
	opt           *train.AdamW
	sched         train.Schedule
	values, grads [][]float64
	decay         []bool
	rng           *rand.Rand
	x, y, seq     []int
	batch         int
}

func newLearner(t task, m *transformer.Model, batch, steps int, lr float64, seed uint64) (*learner, error) {
	l := &learner{task: t, model: m, batch: batch, rng: rand.New(rand.NewPCG(seed, 1))}
	var sizes []int
	for _, p := range m.Params() {
		v, g := p.Value.RawMatrix(), p.Grad.RawMatrix()
		if v.Stride != v.Cols || g.Stride != g.Cols {
			return nil, fmt.Errorf("parameter %s is not stored contiguously", p.Name)
		}
		l.values = append(l.values, v.Data)
		l.grads = append(l.grads, g.Data)
		l.decay = append(l.decay, p.Decay)
		sizes = append(sizes, p.Size())
	}
	l.opt = train.NewAdamW(sizes, 0.9, 0.95, 1e-8, 0.1)
	l.sched = train.Schedule{Max: lr, Min: lr / 10, Warmup: min(100, steps/10), Steps: steps}
	T := t.seqLen() - 1
	l.x, l.y, l.seq = make([]int, batch*T), make([]int, batch*T), make([]int, t.seqLen())
	return l, nil
}

// step trains on one batch of problems drawn from trainSet and returns the
// loss on its answer digits.
func (l *learner) step(n int, trainSet []int) (float64, error) {
	T := l.task.seqLen() - 1
	for b := range l.batch {
		a, c := l.task.problem(trainSet[l.rng.IntN(len(trainSet))])
		l.task.encode(l.seq, a, c)
		x, y := l.x[b*T:(b+1)*T], l.y[b*T:(b+1)*T]
		copy(x, l.seq[:T])
		copy(y, l.seq[1:])
		for i := range l.task.promptLen() - 1 { // positions that predict a or b
			y[i] = -1
		}
	}
	l.model.ZeroGrad()
	loss, err := l.model.Forward(l.x, l.y, l.batch, T)
	if err != nil {
		return 0, err
	}
	l.model.Backward()
	train.ClipGlobalNorm(l.grads, 1)
	if err := l.opt.Update(l.values, l.grads, l.decay, l.sched.LR(n)); err != nil {
		return 0, err
	}
	return loss, nil
}

// mistake is a problem the model got wrong.
type mistake struct{ a, b, got int }

// accuracy decodes the answer to each problem greedily (always the most
// likely digit), digit by digit, and returns the fraction right and the
// mistakes. All problems go through the model together, one digit position
// at a time.
func accuracy(t task, m *transformer.Model, problems []int) (float64, []mistake, error) {
	m.SetTraining(false, 0)
	B, P, V := len(problems), t.promptLen(), m.Config.VocabSize
	seqs := make([][]int, B)
	seq := make([]int, t.seqLen())
	for i, id := range problems {
		a, b := t.problem(id)
		t.encode(seq, a, b)
		seqs[i] = append(make([]int, 0, t.seqLen()), seq[:P]...)
	}
	for k := range t.digits + 1 {
		T := P + k
		ids := make([]int, 0, B*T)
		for _, s := range seqs {
			ids = append(ids, s...)
		}
		if _, err := m.Forward(ids, nil, B, T); err != nil {
			return 0, nil, err
		}
		logits := m.Logits() // (B*T) x V
		for i := range seqs {
			row := logits.RawRowView(i*T + T - 1)
			best := 0
			for v := 1; v < V; v++ {
				if row[v] > row[best] {
					best = v
				}
			}
			seqs[i] = append(seqs[i], best)
		}
	}
	var wrong []mistake
	for i, id := range problems {
		a, b := t.problem(id)
		if got := t.decodeSum(seqs[i][P:]); got != a+b {
			wrong = append(wrong, mistake{a, b, got})
		}
	}
	return 1 - float64(len(wrong))/float64(B), wrong, nil
}
