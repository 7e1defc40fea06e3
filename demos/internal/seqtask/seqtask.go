// Package seqtask trains a model on a task whose every example is a short
// sequence of tokens of fixed length: a prompt the model is given (two
// numbers to add, digits to sort), then the answer it must write. The
// addition and sort demos share it; each brings its own task.
//
// The loss is on the answer only: the prompt is random, and asking the model
// to predict it would only add noise. Accuracy is measured by greedy
// decoding, the answer written token by token as generation would.
package seqtask

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// Task is a set of examples numbered 0, 1, ...
type Task interface {
	SeqLen() int                   // tokens of a whole example: prompt and answer
	PromptLen() int                // tokens of the prompt
	Encode(seq []int, example int) // writes the example's SeqLen tokens into seq
	Count() int                    // examples: 0 .. Count()-1
}

// Learner trains a model on a task with AdamW (β 0.9, 0.95, weight decay
// 0.1), gradients clipped to norm 1, and a learning rate warming up over the
// first tenth of the steps (at most 100), then decaying to lr/10 along a
// cosine.
type Learner struct {
	task      Task
	opt       *train.Optimizer
	rng       *rand.Rand
	x, y, seq []int
	batch     int
}

// NewLearner returns a learner of batch examples a step for steps steps.
func NewLearner(t Task, m *transformer.Model, batch, steps int, lr float64, seed uint64) (*Learner, error) {
	sched := train.Schedule{Max: lr, Min: lr / 10, Warmup: min(100, steps/10), Steps: steps}
	opt, err := train.NewOptimizer(m, train.NewAdamWFor(m, 0.9, 0.95, 0.1), sched, 1, seed)
	if err != nil {
		return nil, err
	}
	T := t.SeqLen() - 1
	return &Learner{task: t, opt: opt, batch: batch, rng: rand.New(rand.NewPCG(seed, 1)),
		x: make([]int, batch*T), y: make([]int, batch*T), seq: make([]int, t.SeqLen())}, nil
}

// Step trains on one batch of examples drawn from trainSet (step n counts
// from 1) and returns the loss on their answers.
func (l *Learner) Step(n int, trainSet []int) (float64, error) {
	T := l.task.SeqLen() - 1
	for b := range l.batch {
		l.task.Encode(l.seq, trainSet[l.rng.IntN(len(trainSet))])
		x, y := l.x[b*T:(b+1)*T], l.y[b*T:(b+1)*T]
		copy(x, l.seq[:T])
		copy(y, l.seq[1:])
		for i := range l.task.PromptLen() - 1 { // positions that predict the prompt
			y[i] = -1
		}
	}
	loss, _, err := l.opt.Step(n, l.x, l.y, l.batch, T)
	return loss, err
}

// Complete writes the answer to each example's prompt greedily (always the
// most likely token) and returns the answers. All examples go through the
// model together, one answer position at a time.
func Complete(t Task, m *transformer.Model, examples []int) ([][]int, error) {
	m.SetTraining(false, 0)
	B, P, V := len(examples), t.PromptLen(), m.Config.VocabSize
	seqs := make([][]int, B)
	seq := make([]int, t.SeqLen())
	for i, ex := range examples {
		t.Encode(seq, ex)
		seqs[i] = append(make([]int, 0, t.SeqLen()), seq[:P]...)
	}
	for k := range t.SeqLen() - P {
		T := P + k
		ids := make([]int, 0, B*T)
		for _, s := range seqs {
			ids = append(ids, s...)
		}
		if _, err := m.Forward(ids, nil, B, T); err != nil {
			return nil, err
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
	answers := make([][]int, B)
	for i := range seqs {
		answers[i] = seqs[i][P:]
	}
	return answers, nil
}

// Plan says how long to train and how to watch it.
type Plan struct {
	Steps     int           // optimiser steps at most
	TimeLimit time.Duration // stop after this long (0 = none)
	EvalEvery int           // steps between progress lines
	// Accuracy measures the model on training examples; training stops
	// once it is 1. Label names it in the progress lines, Done is printed
	// when it reaches 1.
	Accuracy    func() (float64, error)
	Label, Done string
}

// Train runs the learner on trainSet as p says, printing a progress line
// every p.EvalEvery steps, and returns the steps made and the time taken.
func Train(w io.Writer, l *Learner, trainSet []int, p Plan) (steps int, elapsed time.Duration, err error) {
	start := time.Now()
	var loss float64
	for steps < p.Steps {
		if p.TimeLimit > 0 && time.Since(start) > p.TimeLimit {
			fmt.Fprintf(w, "Time limit %s reached.\n", p.TimeLimit)
			break
		}
		steps++
		if loss, err = l.Step(steps, trainSet); err != nil {
			return steps, time.Since(start), fmt.Errorf("step %d: %w", steps, err)
		}
		if steps%p.EvalEvery == 0 || steps == p.Steps {
			acc, err := p.Accuracy()
			if err != nil {
				return steps, time.Since(start), err
			}
			fmt.Fprintf(w, "step %5d  loss %.4f  %s %.3f  %5.1fs\n", steps, loss, p.Label, acc, time.Since(start).Seconds())
			if acc == 1 {
				fmt.Fprintln(w, p.Done)
				break
			}
		}
	}
	return steps, time.Since(start), nil
}

// Result is what the model scored on the held-out examples.
type Result struct {
	Total    int           // held-out examples
	Mistakes []string      // the ones it got wrong, each written for a reader
	Steps    int           // training steps made
	Elapsed  time.Duration // training time
	// Right names what was counted ("problems right"), Examples what the
	// examples are ("problems").
	Right, Examples string
}

// Report prints the held-out accuracy and at most show mistakes.
func Report(w io.Writer, r Result, show int) {
	acc := 1 - float64(len(r.Mistakes))/float64(r.Total)
	fmt.Fprintf(w, "\nHeld-out accuracy: %d of %d %s = %.4f (greedy decoding), after %d steps in %.1fs.\n",
		r.Total-len(r.Mistakes), r.Total, r.Right, acc, r.Steps, r.Elapsed.Seconds())
	if len(r.Mistakes) == 0 {
		fmt.Fprintf(w, "No mistakes on %s it never saw.\n", r.Examples)
		return
	}
	fmt.Fprintf(w, "Mistakes (%d):\n", len(r.Mistakes))
	for _, m := range r.Mistakes[:min(len(r.Mistakes), show)] {
		fmt.Fprintf(w, "  %s\n", m)
	}
	if len(r.Mistakes) > show {
		fmt.Fprintf(w, "  ... and %d more\n", len(r.Mistakes)-show)
	}
}

// Sizes are a task demo's model and training sizes.
type Sizes struct {
	Layers, Heads, Dim int           // model size (a GPT block, MLP 4 x Dim)
	Batch, Steps       int           // examples per step, optimiser steps at most
	LR                 float64       // peak learning rate
	TimeLimit          time.Duration // also stop training after this long (0 = none)
	EvalEvery          int           // steps between progress lines
	Seed               uint64        // model initialisation, data split and batches
	ShowMistakes       int           // mistakes printed at most
}

// Split shuffles the task's examples with a source seeded by seed and
// stream (one constant per task, so two tasks never share a shuffle) and
// keeps the first heldOut apart: the model never trains on them, so its
// accuracy on them measures whether it learned the task, not whether it
// memorised. what names the examples in the error.
func Split(t Task, heldOut int, seed, stream uint64, what string) (trainSet, testSet []int, err error) {
	n := t.Count()
	if heldOut <= 0 || heldOut >= n {
		return nil, nil, fmt.Errorf("held-out %s: %d; want between 1 and %d", what, heldOut, n-1)
	}
	perm := rand.New(rand.NewPCG(seed, stream)).Perm(n)
	return perm[heldOut:], perm[:heldOut], nil
}

// NewModel builds a GPT of the given sizes over vocab tokens, with a
// context of one example, and its learner.
func NewModel(t Task, vocab int, s Sizes) (*transformer.Model, *Learner, error) {
	cfg, err := transformer.Preset("gpt")
	if err != nil {
		return nil, nil, err
	}
	cfg.VocabSize, cfg.Context = vocab, t.SeqLen()-1
	cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = s.Layers, s.Heads, s.Heads, s.Dim, 4*s.Dim
	m, err := transformer.New(cfg, s.Seed)
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	l, err := NewLearner(t, m, s.Batch, s.Steps, s.LR, s.Seed)
	if err != nil {
		return nil, nil, err
	}
	return m, l, nil
}

// Describe prints the model and the training budget: "Training: batches
// of 64 <examples>, up to 6000 steps", ending with until (when training
// stops early).
func Describe(w io.Writer, m *transformer.Model, s Sizes, examples, until string) {
	fmt.Fprintf(w, "Model: %d layers, %d heads, width %d, %d parameters; backend %s.\n", s.Layers, s.Heads, s.Dim, m.NumParams(), transformer.Backend)
	fmt.Fprintf(w, "Training: batches of %d%s, up to %d steps", s.Batch, examples, s.Steps)
	if s.TimeLimit > 0 {
		fmt.Fprintf(w, " or %s", s.TimeLimit)
	}
	fmt.Fprintf(w, "; it stops early once %s.\n\n", until)
}
