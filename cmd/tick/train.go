package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/train"
)

func init() {
	commands["train"] = command{
		summary: "train a small transformer on a text file",
		run:     runTrain,
	}
}

// trainFlags binds the flags of tick train to o, whose values are the
// defaults shown by -h.
func trainFlags(o *train.Options) *flag.FlagSet {
	fs := newFlags("tick train", "Usage: tick train [flags]\n\nTrains a transformer by next-token prediction on a text file, showing\n"+
		"progress, validation loss and samples; writes checkpoints, metrics.jsonl and\n"+
		"loss.png to --out. Ctrl-C saves and stops; --resume continues. With no --data\n"+
		"it trains on Newton's Opticks.")
	fs.StringVar(&o.Data, "data", o.Data, "text `file` to train on\n(default: Newton's Opticks from GOROOT, else an embedded sample)")
	fs.StringVar(&o.Tokenizer, "tokenizer", o.Tokenizer, "char, byte, an encoding (cl100k_base, o200k_base, ...)\nor a .tiktoken file from tick bpe train")
	fs.Float64Var(&o.ValFrac, "val-frac", o.ValFrac, "fraction of the text (at its end) kept for validation")
	fs.StringVar(&o.Preset, "preset", o.Preset, "model family: gpt or llama")
	fs.IntVar(&o.Layers, "layers", o.Layers, "transformer blocks")
	fs.IntVar(&o.Heads, "heads", o.Heads, "attention heads")
	fs.IntVar(&o.KVHeads, "kv-heads", o.KVHeads, "key/value heads (0: the preset's ratio; llama shares one per 2 heads)")
	fs.IntVar(&o.Dim, "dim", o.Dim, "model width")
	fs.IntVar(&o.FFDim, "ff-dim", o.FFDim, "MLP hidden width (0: 4*dim for gpt, Llama's rule for llama)")
	fs.IntVar(&o.Context, "context", o.Context, "context length in tokens")
	fs.Float64Var(&o.Dropout, "dropout", o.Dropout, "dropout probability while training")
	fs.IntVar(&o.Batch, "batch", o.Batch, "windows per batch")
	fs.IntVar(&o.GradAccum, "grad-accum", o.GradAccum, "batches per optimiser step (gradient accumulation)")
	fs.IntVar(&o.Steps, "steps", o.Steps, "optimiser steps")
	fs.Float64Var(&o.LR, "lr", o.LR, "peak learning rate")
	fs.Float64Var(&o.MinLR, "min-lr", o.MinLR, "learning rate at the last step (cosine decay)")
	fs.IntVar(&o.Warmup, "warmup", o.Warmup, "steps of linear learning-rate warmup")
	fs.Float64Var(&o.WeightDecay, "weight-decay", o.WeightDecay, "AdamW weight decay (not on biases and norm gains)")
	fs.Float64Var(&o.Clip, "clip", o.Clip, "clip gradients to this global norm (0: off)")
	fs.Float64Var(&o.Beta1, "beta1", o.Beta1, "AdamW beta1")
	fs.Float64Var(&o.Beta2, "beta2", o.Beta2, "AdamW beta2")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed (initialisation, batches, dropout)")
	fs.StringVar(&o.Precision, "precision", o.Precision, "float32 or float64 arithmetic (weights stay float64)")
	fs.IntVar(&o.EvalEvery, "eval-every", o.EvalEvery, "steps between evaluations, samples and checkpoints")
	fs.IntVar(&o.EvalBatches, "eval-batches", o.EvalBatches, "batches of fixed windows per evaluation")
	fs.IntVar(&o.SampleTokens, "sample-tokens", o.SampleTokens, "tokens of sample text at each evaluation (0: none)")
	fs.StringVar(&o.Prompt, "prompt", o.Prompt, "start of the sample text (default: the start of the validation text)")
	fs.DurationVar(&o.TimeLimit, "time-limit", o.TimeLimit, "stop cleanly after this wall time, e.g. 5m (0: none)")
	fs.StringVar(&o.Out, "out", o.Out, "run `folder` for checkpoints, metrics.jsonl, loss.png")
	fs.BoolVar(&o.Resume, "resume", o.Resume, "continue the run in --out from its last checkpoint")
	return fs
}

func runTrain(args []string) error {
	o := train.DefaultOptions()
	pos, err := parseArgs(trainFlags(&o), args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q; flags only, e.g. --data FILE", pos[0])
	}
	if o.Resume {
		// A folder that is not a run (the user's own) is named as such,
		// rather than as a run with nothing to resume.
		if err := checkpoint.CheckRun(o.Out); err != nil && !errors.Is(err, checkpoint.ErrNoCheckpoint) {
			return err
		}
		// A resumed run takes its settings from its checkpoint; flags given
		// again must agree with them (train.Run checks).
		saved, err := train.SavedOptions(o.Out)
		if err != nil {
			return err
		}
		saved.Out, saved.Resume = o.Out, true
		o = saved
		if _, err := parseArgs(trainFlags(&o), args); err != nil {
			return err
		}
	}
	o.Progress = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	_, err = train.Run(ctx, o, os.Stdout)
	var sidecar *tokenizer.SidecarError
	if errors.As(err, &sidecar) {
		// tick train has no --pattern: the sidecar is the only way to say it.
		what := "is missing"
		if !errors.Is(sidecar.Err, fs.ErrNotExist) {
			what = fmt.Sprintf("is not valid JSON (%v)", sidecar.Err)
		}
		return fmt.Errorf("--tokenizer %s: its sidecar %s, which says the split pattern, %s: write it, e.g. %s (tick bpe train writes one)", sidecar.RankFile, sidecar.Path, what, tokenizer.SidecarExample)
	}
	return flagAdvice(err)
}
