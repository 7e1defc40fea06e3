package main

import (
	"math/rand/v2"

	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// learner trains a model on the task with AdamW, scoring only the answer
// digits: the targets of the prompt positions are -1, because a and b are
// random and predicting them would only add noise to the loss.
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
	loss, _, err := l.opt.Step(n, l.x, l.y, l.batch, T)
	return loss, err
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
