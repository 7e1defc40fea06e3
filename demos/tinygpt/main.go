// Command tinygpt trains a small GPT-style model on real English (Newton's
// Opticks, which ships with Go) for a minute or two, and shows it learning:
// text from the model before training, the loss falling under a progress bar,
// text after. The run folder (./out/tinygpt) is what the generate and
// attention demos then use.
//
//	go run ./demos/tinygpt [-steps 500] [-time-limit 150s] [-out out/tinygpt]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/eval"
	"github.com/tick-llm/tick/internal/tty"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// config is the training run and what to show around it.
type config struct {
	Train        train.Options // Train.Out is the run folder; an earlier run there is replaced
	Prompt       string        // start of the sample texts
	SampleTokens int           // length of the sample texts
	Temperature  float64       // sampling temperature of the sample texts
	LossWindows  int           // validation windows scored before and after training
}

// defaultConfig is the demo's real size: nanoGPT's baby-GPT recipe, cut to
// a fixed step budget that fits in a few minutes on two cores with pure Go;
// OpenBLAS runs the whole recipe (2,000 steps) in about the same time. Steps,
// not a time limit, so the same build prints the same text on any machine,
// however busy.
func defaultConfig() config {
	o := train.DefaultOptions()
	// A quarter of the recipe's steps, at twice its learning rate: what a
	// short schedule can afford, and the text it leaves reads as words.
	o.Steps, o.Warmup, o.EvalEvery = 500, 50, 125
	o.LR, o.MinLR = 2e-3, 2e-4
	if transformer.Backend == "openblas" {
		o.Steps, o.Warmup, o.EvalEvery = 2000, 100, 500
		o.LR, o.MinLR = 1e-3, 1e-4
	}
	o.EvalBatches = 4
	o.SampleTokens = 120
	o.TimeLimit = 0
	o.Out = filepath.Join("out", "tinygpt")
	// Temperature 0.5 shows the words the model finds most likely; at 0.8 a
	// short run still mixes in as many made-up ones.
	return config{Train: o, Prompt: "The Rays of Light ", SampleTokens: 200, Temperature: 0.5, LossWindows: 32}
}

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.Train.Steps, "steps", cfg.Train.Steps, "optimiser steps")
	flag.DurationVar(&cfg.Train.TimeLimit, "time-limit", cfg.Train.TimeLimit, "also stop training after this long (0 = none: the same result on every machine)")
	flag.StringVar(&cfg.Train.Out, "out", cfg.Train.Out, "run folder (an earlier demo run there is replaced)")
	flag.Parse()
	if tty.Is(os.Stderr) {
		cfg.Train.Progress = os.Stderr
	}
	demo.Main("tinygpt", func(ctx context.Context, w io.Writer) error { return run(ctx, w, cfg) })
}

// run is the whole demo, writing to w.
func run(ctx context.Context, w io.Writer, cfg config) error {
	o := cfg.Train
	name, text, err := data.Read(o.Data)
	if err != nil {
		return err
	}
	tok, _, err := tokenizer.Build(o.Tokenizer, string(text))
	if err != nil {
		return err
	}
	ids, err := tok.Encode(string(text))
	if err != nil {
		return err
	}
	_, val, err := data.Split(ids, o.ValFrac, o.Context)
	if err != nil {
		return err
	}
	mcfg, err := o.ModelConfig(tok.VocabSize())
	if err != nil {
		return err
	}
	// The same configuration and seed as the run below: this is the model
	// training starts from.
	before, err := transformer.New(mcfg, o.Seed)
	if err != nil {
		return err
	}
	prompt, err := tok.Encode(cfg.Prompt)
	if err != nil {
		return fmt.Errorf("prompt: %w", err)
	}

	fmt.Fprintln(w, "A GPT is trained on one task only: given some text, predict the next token.")
	fmt.Fprintf(w, "Here the tokens are the characters of %s (%d bytes),\n", name, len(text))
	fmt.Fprintf(w, "%d of them, so the model must learn spelling, words and punctuation from scratch.\n", tok.VocabSize())
	fmt.Fprintf(w, "Matrix products run on the %s backend.\n\n", transformer.Backend)

	lossBefore, err := meanLoss(before, tok, val, o.Context, cfg.LossWindows, o.Seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Before training the weights are random. The loss (cross-entropy, in nats) on %d\n", cfg.LossWindows)
	fmt.Fprintf(w, "windows of unseen text is %.3f; a uniform guess among %d characters scores ln(%d) = %.3f.\n",
		lossBefore, tok.VocabSize(), tok.VocabSize(), math.Log(float64(tok.VocabSize())))
	textBefore, err := continueText(before, tok, prompt, cfg.SampleTokens, cfg.Temperature, o.Seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Its continuation of %q is noise:\n%s\n\n", cfg.Prompt, indent(textBefore))

	final := o.Out
	replaced, err := checkpoint.Clear(final)
	if err != nil {
		return err
	}
	if replaced {
		fmt.Fprintf(w, "(The earlier run in %s is replaced by this one.)\n", final)
	}
	fmt.Fprintln(w, "Training: each step shows the model a batch of windows, measures its loss, and")
	fmt.Fprintln(w, "moves every weight a little against the gradient (AdamW). Watch the loss fall, and")
	fmt.Fprintln(w, "the sample text at each evaluation turn into English-looking words.")
	fmt.Fprintln(w)
	res, err := train.Run(ctx, o, w)
	if err != nil {
		if errors.Is(err, train.ErrInterrupted) {
			return fmt.Errorf("training interrupted; the last checkpoint is in %s (tick train --out %s --resume continues it)", final, final)
		}
		return err
	}

	after, afterTok, err := checkpoint.LoadModel(final)
	if err != nil {
		return err
	}
	lossAfter, err := meanLoss(after, afterTok, val, o.Context, cfg.LossWindows, o.Seed)
	if err != nil {
		return err
	}
	textAfter, err := continueText(after, afterTok, prompt, cfg.SampleTokens, cfg.Temperature, o.Seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nAfter %d steps (%.0fs, %.0f tokens/s), the saved model (the checkpoint with the best\n",
		res.Step, res.Elapsed.Seconds(), res.TokensPerSec)
	fmt.Fprintf(w, "validation loss) scores a loss on the same %d unseen windows of %.3f\n", cfg.LossWindows, lossAfter)
	fmt.Fprintf(w, "(it was %.3f): the model now puts probability %.2f on the right next token\n", lossBefore, math.Exp(-lossAfter))
	fmt.Fprintf(w, "on average (geometric mean), against %.3f before.\n", math.Exp(-lossBefore))
	if res.TimeLimited {
		fmt.Fprintf(w, "Training stopped at the time limit (%s) before step %d.\n", o.TimeLimit, o.Steps)
	}
	fmt.Fprintf(w, "Its continuation of %q now (same seed, temperature %.1f):\n%s\n", cfg.Prompt, cfg.Temperature, indent(textAfter))
	fmt.Fprintf(w, "\nThe run folder %s holds the model, its tokenizer, metrics.jsonl and loss.png.\n", final)
	fmt.Fprintf(w, "Next: go run ./demos/generate, or tick generate --model %s --step\n", final)
	return nil
}

// meanLoss is m's mean loss on n windows of T tokens drawn from tokens with a
// fixed seed, so two models are scored on exactly the same text.
func meanLoss(m *transformer.Model, tok tokenizer.Tokenizer, tokens []int, T, n int, seed uint64) (float64, error) {
	s, err := eval.Windows(m, tok, tokens, train.FixedWindows(tokens, T, n, seed), n)
	if err != nil {
		return 0, fmt.Errorf("score: %w", err)
	}
	return s.Loss(), nil
}

// continueText generates n tokens after prompt and returns the whole text.
func continueText(m *transformer.Model, tok tokenizer.Tokenizer, prompt []int, n int, temperature float64, seed uint64) (string, error) {
	m.SetTraining(false, 0)
	opts := sample.Default
	opts.Temperature = temperature
	ids, err := generate.Continue(m, prompt, n, opts, seed)
	if err != nil {
		return "", err
	}
	return string(tok.Decode(append(slices.Clone(prompt), ids...))), nil
}

// indent puts a margin before every line of a sample text.
func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
