// Command addition teaches a small GPT to add, as Karpathy's minGPT adder
// does: two-digit problems a+b written as digit tokens with the sum reversed,
// loss only on the answer digits, and accuracy measured on problems held out
// from training, by greedy decoding. It prints the mistakes that remain.
//
//	go run ./demos/addition [-digits 2|3] [-time-limit 5m] [-steps 6000]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/demos/internal/seqtask"
)

// config holds the task, model and training sizes.
type config struct {
	Digits  int // digits of a and b
	HeldOut int // problems kept out of training and used to measure accuracy
	seqtask.Sizes
}

func defaultConfig() config {
	return config{
		Digits: 2, HeldOut: 1000,
		Sizes: seqtask.Sizes{
			Layers: 2, Heads: 4, Dim: 64,
			Batch: 64, Steps: 6000, LR: 2e-3,
			EvalEvery: 250, Seed: 1337, ShowMistakes: 20,
		},
	}
}

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.Digits, "digits", cfg.Digits, "digits of each number (2 or 3)")
	flag.IntVar(&cfg.Steps, "steps", cfg.Steps, "optimiser steps at most")
	flag.DurationVar(&cfg.TimeLimit, "time-limit", cfg.TimeLimit, "also stop training after this long (0 = none: a fixed number of steps, the same result on every machine)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the model, the split and the batches")
	flag.Parse()
	if cfg.Digits == 3 && !flagSet("steps") && !flagSet("time-limit") {
		// A million problems, and longer carries: a bigger budget.
		cfg.HeldOut, cfg.Steps, cfg.EvalEvery = 10000, 12000, 500
	}
	demo.Main("addition", func(_ context.Context, w io.Writer) error { return run(w, cfg) })
}

// examples are the problems shown to explain the format, one per number of
// digits.
var examples = map[int][2]int{1: {7, 5}, 2: {27, 45}, 3: {427, 385}, 4: {4271, 3859}}

// flagSet reports whether the flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// run is the whole demo, writing to w.
func run(w io.Writer, cfg config) error {
	if cfg.Digits < 1 || cfg.Digits > 4 {
		return fmt.Errorf("-digits %d: use 1 to 4", cfg.Digits)
	}
	t := task{cfg.Digits}
	trainSet, testSet, err := seqtask.Split(t, cfg.HeldOut, cfg.Seed, 0x616464, "problems") // "add"
	if err != nil {
		return err
	}
	m, l, err := seqtask.NewModel(t, 10, cfg.Sizes)
	if err != nil {
		return err
	}

	// An example with a carry, as many digits as the task.
	ea, eb := examples[cfg.Digits][0], examples[cfg.Digits][1]
	seq := make([]int, t.SeqLen())
	t.encode(seq, ea, eb)
	fmt.Fprintf(w, "Can a GPT learn to add? Each problem is %d-digit + %d-digit, written as digit tokens\n", t.digits, t.digits)
	fmt.Fprintf(w, "with the sum backwards and padded to %d digits: %s = %d is the sequence %v.\n", t.digits+1, t.format(ea, eb), ea+eb, seq)
	fmt.Fprintln(w, "Backwards because the model writes left to right, and the last digit of a sum is")
	fmt.Fprintln(w, "the one to work out first (then the carry). Only the answer digits are scored:")
	fmt.Fprintln(w, "the model is given a and b, it does not have to guess them.")
	fmt.Fprintf(w, "Of the %d possible problems, %d are held out: the model never trains on them, and\n", t.Count(), len(testSet))
	fmt.Fprintln(w, "its accuracy on them, answering greedily digit by digit, says whether it learned to add.")
	seqtask.Describe(w, m, cfg.Sizes, " problems", "it gets a sample of 1,000 training problems all right")

	// A fixed sample of training problems to watch progress and to decide
	// when to stop: the held-out problems play no part in training.
	watch := trainSet[:min(1000, len(trainSet))]
	steps, elapsed, err := seqtask.Train(w, l, trainSet, seqtask.Plan{
		Steps: cfg.Steps, TimeLimit: cfg.TimeLimit, EvalEvery: cfg.EvalEvery,
		Accuracy: func() (float64, error) {
			acc, _, err := accuracy(t, m, watch)
			return acc, err
		},
		Label: "training-sample accuracy", Done: "All of the training sample right: stopping.",
	})
	if err != nil {
		return err
	}

	_, wrong, err := accuracy(t, m, testSet)
	if err != nil {
		return err
	}
	r := seqtask.Result{Total: len(testSet), Steps: steps, Elapsed: elapsed, Right: "problems right", Examples: "problems"}
	for _, mk := range wrong {
		r.Mistakes = append(r.Mistakes, fmt.Sprintf("%s = %d, model says %d", t.format(mk.a, mk.b), mk.a+mk.b, mk.got))
	}
	seqtask.Report(w, r, cfg.ShowMistakes)
	return nil
}
