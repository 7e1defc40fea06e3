package main

import (
	"fmt"
	"os"

	"github.com/tick-llm/tick/eval"
	"github.com/tick-llm/tick/internal/words"
	"github.com/tick-llm/tick/transformer"
)

func init() {
	commands["eval"] = command{
		summary: "measure a trained model on a text file",
		run:     runEval,
	}
}

func runEval(args []string) error {
	var o eval.Options
	fs := newFlags("tick eval", "Usage: tick eval --model DIR [--data FILE] [--whole]\n\n"+
		"Loss per token, perplexity and bits per byte of a trained model on a text:\n"+
		"its validation split (the last --val-frac), or the whole file with --whole.\n"+
		"Bits per byte compares models with different tokenizers.")
	fs.StringVar(&o.Model, "model", "tick-run", "run `folder` (best/, else last/)\nor a checkpoint folder")
	fs.StringVar(&o.Data, "data", "", "text `file` (default: the text the model trained on)")
	fs.BoolVar(&o.Whole, "whole", false, "score the whole file, not only its validation split")
	fs.Float64Var(&o.ValFrac, "val-frac", 0, "validation fraction (default: the run's)")
	fs.IntVar(&o.Batch, "batch", 16, "windows per forward pass (speed only)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q; flags only, e.g. --model DIR --data FILE", pos[0])
	}
	if flagGiven(fs, "val-frac") {
		if o.Whole {
			return fmt.Errorf("--whole scores the whole file, so --val-frac %g has no effect: give one of them", o.ValFrac)
		}
		if !(o.ValFrac > 0 && o.ValFrac < 1) {
			return fmt.Errorf("--val-frac %g is out of range: it must be between 0 and 1 (exclusive), e.g. 0.1", o.ValFrac)
		}
	}
	if o.Batch < 1 { // 0 would mean the package's default; a user typing it means a mistake
		return fmt.Errorf("--batch %d is out of range: it must be at least 1", o.Batch)
	}
	r, err := eval.Evaluate(o)
	if err != nil {
		return err
	}
	if r.Warning != "" {
		fmt.Fprintf(os.Stderr, "tick eval: %s\n", r.Warning)
	}
	fmt.Printf("model: %s (step %d)\n", r.Checkpoint, r.Step)
	fmt.Printf("backend: %s\n", transformer.Backend)
	fmt.Printf("data: %s\n  %s: %s scored, %s\n", r.Data, r.Part, words.Count(r.Tokens, "token"), words.Count(r.Bytes, "byte"))
	fmt.Printf("loss: %.4f nats/token\nperplexity: %.3f\nbits per byte: %.4f\n", r.Loss(), r.Perplexity(), r.BitsPerByte())
	return nil
}
