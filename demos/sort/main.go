// Command sort teaches a small GPT to sort, as Karpathy's minGPT sorter:
// sequences of 6 digits over 3 symbols, followed by the same digits sorted;
// loss only on the sorted half; accuracy on inputs held out from training,
// by greedy decoding.
//
//	go run ./demos/sort [-length 6] [-symbols 3] [-time-limit 3m]
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
	Length, Symbols int     // sequence length and number of distinct digits
	HeldOutFrac     float64 // fraction of all inputs kept out of training
	seqtask.Sizes
}

func defaultConfig() config {
	return config{
		Length: 6, Symbols: 3, HeldOutFrac: 0.25,
		Sizes: seqtask.Sizes{
			Layers: 2, Heads: 4, Dim: 64,
			Batch: 64, Steps: 4000, LR: 2e-3,
			EvalEvery: 50, Seed: 1337, ShowMistakes: 20,
		},
	}
}

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.Length, "length", cfg.Length, "digits per sequence")
	flag.IntVar(&cfg.Symbols, "symbols", cfg.Symbols, "distinct digits (at most 10)")
	flag.IntVar(&cfg.Steps, "steps", cfg.Steps, "optimiser steps at most")
	flag.DurationVar(&cfg.TimeLimit, "time-limit", cfg.TimeLimit, "also stop training after this long (0 = none: a fixed number of steps, the same result on every machine)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the model, the split and the batches")
	flag.Parse()
	demo.Main("sort", func(_ context.Context, w io.Writer) error { return run(w, cfg) })
}

// run is the whole demo, writing to w.
func run(w io.Writer, cfg config) error {
	if cfg.Symbols < 2 || cfg.Symbols > 10 || cfg.Length < 2 || cfg.Length > 12 {
		return fmt.Errorf("-length %d -symbols %d: use a length of 2 to 12 and 2 to 10 symbols", cfg.Length, cfg.Symbols)
	}
	t := task{cfg.Length, cfg.Symbols}
	trainSet, testSet, err := seqtask.Split(t, int(cfg.HeldOutFrac*float64(t.Count())), cfg.Seed, 0x736f7274, "sequences") // "sort"
	if err != nil {
		return err
	}
	m, l, err := seqtask.NewModel(t, cfg.Symbols, cfg.Sizes)
	if err != nil {
		return err
	}

	example := make([]int, t.SeqLen())
	t.Encode(example, trainSet[0])
	fmt.Fprintf(w, "Can a GPT learn to sort? Each example is %d digits from 0 to %d, then the same digits\n", t.length, t.symbols-1)
	fmt.Fprintf(w, "sorted: %s -> %s is the sequence %v.\n", format(example[:t.length]), format(example[t.length:]), example)
	fmt.Fprintln(w, "The model is given the first half; only the sorted half is scored.")
	fmt.Fprintf(w, "Of the %d possible inputs, %d are held out: never trained on, used to measure accuracy\n", t.Count(), len(testSet))
	fmt.Fprintln(w, "(a sequence counts as right only if every digit is, answering greedily).")
	seqtask.Describe(w, m, cfg.Sizes, "", "it sorts every training input right")

	steps, elapsed, err := seqtask.Train(w, l, trainSet, seqtask.Plan{
		Steps: cfg.Steps, TimeLimit: cfg.TimeLimit, EvalEvery: cfg.EvalEvery,
		Accuracy: func() (float64, error) {
			acc, _, err := accuracy(t, m, trainSet)
			return acc, err
		},
		Label: "training accuracy", Done: "Every training input sorted right: stopping.",
	})
	if err != nil {
		return err
	}

	_, wrong, err := accuracy(t, m, testSet)
	if err != nil {
		return err
	}
	r := seqtask.Result{Total: len(testSet), Steps: steps, Elapsed: elapsed, Right: "sequences sorted right", Examples: "inputs"}
	for _, mk := range wrong {
		r.Mistakes = append(r.Mistakes, fmt.Sprintf("%s -> %s, model says %s", format(mk.in), format(mk.want), format(mk.got)))
	}
	seqtask.Report(w, r, cfg.ShowMistakes)
	return nil
}
