// Command gpt-vs-llama trains the two families of decoder block on the same
// data with the same budget: a GPT-2 block (LayerNorm, learned positions,
// GELU MLP, biases, tied output head) and a Llama 3 block (RMSNorm, rotary
// positions, SwiGLU MLP, grouped-query attention, no biases, separate head).
// It lists what differs, counts their parameters, and draws both loss curves
// on one plot.
//
//	go run ./demos/gpt-vs-llama [-steps 300] [-time-limit 5m] [-out out/gpt-vs-llama]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/internal/tty"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// presets are compared in this order.
var presets = []string{"gpt", "llama"}

// config is the shared training budget and where the runs go.
type config struct {
	Train train.Options // everything but Preset and Out, shared by both runs
	Out   string        // runs go to Out/gpt and Out/llama, the plot to Out/loss.png
}

func defaultConfig() config {
	o := train.DefaultOptions()
	o.Steps, o.Warmup = 300, 30
	o.EvalEvery, o.EvalBatches, o.SampleTokens = 50, 4, 0
	// The budget is steps, the same for both and on every machine; a time
	// limit (-time-limit) is only for a user in a hurry.
	o.TimeLimit = 0
	return config{Train: o, Out: filepath.Join("out", "gpt-vs-llama")}
}

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.Train.Steps, "steps", cfg.Train.Steps, "optimiser steps for each model")
	flag.DurationVar(&cfg.Train.TimeLimit, "time-limit", cfg.Train.TimeLimit, "also stop each model after this long (0 = none: the same steps on every machine)")
	flag.StringVar(&cfg.Out, "out", cfg.Out, "folder for the two runs and the plot")
	flag.Parse()
	if tty.Is(os.Stderr) {
		cfg.Train.Progress = os.Stderr
	}
	demo.Main("gpt-vs-llama", func(ctx context.Context, w io.Writer) error { return run(ctx, w, cfg) })
}

// run is the whole demo, writing to w.
func run(ctx context.Context, w io.Writer, cfg config) error {
	name, text, err := data.Read(cfg.Train.Data)
	if err != nil {
		return err
	}
	tok, _, err := tokenizer.Build(cfg.Train.Tokenizer, string(text))
	if err != nil {
		return err
	}
	configs := make([]transformer.Config, len(presets))
	for i, p := range presets {
		o := cfg.Train
		o.Preset = p
		if configs[i], err = o.ModelConfig(tok.VocabSize()); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}

	fmt.Fprintln(w, "GPT-2 (2019) and Llama 3 (2024) are the same machine: token embeddings, a stack")
	fmt.Fprintln(w, "of blocks (attention, then a feed-forward MLP, each with a residual connection")
	fmt.Fprintln(w, "and a normalisation in front), a final norm, and an output head giving next-token")
	fmt.Fprintln(w, "logits. They differ in a handful of switches:")
	fmt.Fprintln(w)
	writeDifferences(w, configs[0], configs[1])
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Both train on the same text, %s\n", name)
	fmt.Fprintf(w, "(%d bytes, %s tokenizer, %d tokens), with the same budget:\n", len(text), tok.Name(), tok.VocabSize())
	fmt.Fprintf(w, "%d steps of %d windows x %d tokens", cfg.Train.Steps, cfg.Train.Batch, cfg.Train.Context)
	if cfg.Train.TimeLimit > 0 {
		fmt.Fprintf(w, " or %s each, whichever ends first", cfg.Train.TimeLimit)
	}
	fmt.Fprintf(w, ";\nthe same seed, learning rate and optimiser. Backend: %s.\n", transformer.Backend)

	results := make([]*train.Result, len(presets))
	curves := make([][]train.Metric, len(presets))
	for i, p := range presets {
		o := cfg.Train
		o.Preset = p
		o.Out = filepath.Join(cfg.Out, p)
		if _, err := checkpoint.Clear(o.Out); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nTraining %s...\n", p)
		res, err := train.Run(ctx, o, io.Discard)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		results[i] = res
		fmt.Fprintf(w, "  %s\n", res.FinalLine())
		if curves[i], err = train.ReadMetrics(filepath.Join(o.Out, "metrics.jsonl")); err != nil {
			return err
		}
	}

	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-8s %10s %7s %10s %10s %10s %13s\n", "preset", "parameters", "steps", "tokens/s", "train loss", "val loss", "val bits/byte")
	for i, p := range presets {
		r := results[i]
		fmt.Fprintf(w, "%-8s %10d %7d %10.0f %10.4f %10.4f %13.4f\n", p, configs[i].NumParams(), r.Step, r.TokensPerSec, r.TrainLoss, r.ValLoss, r.ValBPB)
	}
	for i, r := range results {
		if r.TimeLimited {
			fmt.Fprintf(w, "Note: %s hit the time limit after %d of %d steps, so the two did not get the same\n", presets[i], r.Step, cfg.Train.Steps)
			fmt.Fprintln(w, "number of steps; compare the curves at equal steps, or rerun with -time-limit 0.")
		}
	}
	lower := 0
	if results[1].ValLoss < results[0].ValLoss {
		lower = 1
	}
	fmt.Fprintf(w, "Lower validation loss in this run: %s, by %.4f nats per token. This is one seed and a\n",
		presets[lower], abs(results[0].ValLoss-results[1].ValLoss))
	fmt.Fprintln(w, "tiny model: a small gap says little. Llama's changes were chosen for large models")
	fmt.Fprintln(w, "(RoPE for long contexts, grouped-query attention for a smaller KV cache at generation).")

	plotPath := filepath.Join(cfg.Out, "loss.png")
	if err := plotLosses(plotPath, presets, curves); err != nil {
		return err
	}
	fmt.Fprintf(w, "Both loss curves: %s\n", plotPath)
	return nil
}

// writeDifferences prints the switches of the two configurations side by
// side.
func writeDifferences(w io.Writer, g, l transformer.Config) {
	onOff := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	rows := []struct{ what, gpt, llama, why string }{
		{"normalisation", g.Norm, l.Norm, "RMSNorm: no mean, no bias; cheaper"},
		{"positions", g.Positions, fmt.Sprintf("%s (theta %g)", l.Positions, l.RopeTheta), "RoPE rotates q and k by position"},
		{"MLP", fmt.Sprintf("%s, %d wide", g.MLP, g.FFDim), fmt.Sprintf("%s, %d wide", l.MLP, l.FFDim), "SwiGLU: gated, 3 matrices, narrower"},
		{"query heads", fmt.Sprint(g.Heads), fmt.Sprint(l.Heads), ""},
		{"key/value heads", fmt.Sprint(g.KVHeads), fmt.Sprint(l.KVHeads), "grouped-query: heads share k and v"},
		{"biases", onOff(g.Bias), onOff(l.Bias), ""},
		{"tied output head", onOff(g.TiedHead), onOff(l.TiedHead), "GPT-2 reuses the token embedding"},
		{"parameters", fmt.Sprint(g.NumParams()), fmt.Sprint(l.NumParams()), ""},
	}
	fmt.Fprintf(w, "  %-17s %-19s %s\n", "", "gpt", "llama")
	for _, r := range rows {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-17s %-19s %-19s %s", r.what, r.gpt, r.llama, r.why), " "))
	}
	fmt.Fprintf(w, "  both: %d layers, width %d, context %d, vocabulary %d.\n", g.Layers, g.Dim, g.Context, g.VocabSize)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
