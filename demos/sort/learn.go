package main

import (
	"math/rand/v2"
	"slices"

	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// learner trains a model on the task with AdamW, scoring only the sorted
// half: the targets of the positions that would predict the (random) input
// are -1.
type learner struct {
	task      task
	opt       *train.Optimizer
	rng       *rand.Rand
	x, y, seq []int
	batch     int
}

// newLearner uses AdamW (β 0.9, 0.95, weight decay 0.1), gradients clipped
// to norm 1, and a learning rate warming up over the first tenth of the
// steps (at most 100) and then decaying to lr/10 along a cosine.
func newLearner(t task, m *transformer.Model, batch, steps int, lr float64, seed uint64) (*learner, error) {
	sched := train.Schedule{Max: lr, Min: lr / 10, Warmup: min(100, steps/10), Steps: steps}
	opt, err := train.NewOptimizer(m, train.NewAdamWFor(m, 0.9, 0.95, 0.1), sched, 1, seed)
	if err != nil {
		return nil, err
	}
	T := t.seqLen() - 1
	return &learner{task: t, opt: opt, batch: batch, rng: rand.New(rand.NewPCG(seed, 1)),
		x: make([]int, batch*T), y: make([]int, batch*T), seq: make([]int, t.seqLen())}, nil
}

// step trains on one batch drawn from trainSet and returns the loss on the
// sorted half.
func (l *learner) step(n int, trainSet []int) (float64, error) {
	T := l.task.seqLen() - 1
	for b := range l.batch {
		l.task.encode(l.seq, trainSet[l.rng.IntN(len(trainSet))])
		x, y := l.x[b*T:(b+1)*T], l.y[b*T:(b+1)*T]
		copy(x, l.seq[:T])
		copy(y, l.seq[1:])
		for i := range l.task.promptLen() - 1 { // positions that predict the input
			y[i] = -1
		}
	}
	loss, _, err := l.opt.Step(n, l.x, l.y, l.batch, T)
	return loss, err
}

// mistake is an input the model sorted wrong.
type mistake struct{ in, want, got []int }

// accuracy writes the sorted half for each input greedily, token by token,
// all inputs together, and returns the fraction entirely right and the
// mistakes.
func accuracy(t task, m *transformer.Model, inputs []int) (float64, []mistake, error) {
	m.SetTraining(false, 0)
	B, P, V := len(inputs), t.promptLen(), m.Config.VocabSize
	want := make([][]int, B)
	seqs := make([][]int, B)
	for i, id := range inputs {
		want[i] = make([]int, t.seqLen())
		t.encode(want[i], id)
		seqs[i] = append(make([]int, 0, t.seqLen()), want[i][:P]...)
	}
	for k := range t.seqLen() - P {
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
	for i := range inputs {
		if !slices.Equal(seqs[i][P:], want[i][P:]) {
			wrong = append(wrong, mistake{want[i][:P], want[i][P:], seqs[i][P:]})
		}
	}
	return 1 - float64(len(wrong))/float64(B), wrong, nil
}
