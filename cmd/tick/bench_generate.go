package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tick-llm/tick/internal/bench"
)

func init() { benchTargets["generate"] = runBenchGenerate }

const benchGenerateUsage = `Usage: tick bench generate [flags]

Times greedy generation through the KV cache, tick generate's own path
without --step (transformer/generate, float32; the argmax of the logits,
no softmax, as llama2.c's -t 0), with the shape of one of llama2.c's
TinyStories models (--shape; stories15M: 6 layers x 288, vocabulary 32,000;
random weights), and a peer on the same shape in the same run, at 1 and 2
threads, alternating the two; ends with "speedup: N.NNx" (tick's best
tokens/s over the peer's best).

Peer: llama2.c's run binary with --llama2c PATH and its arguments in
--llama2c-args (a checkpoint of the same shape, -t 0, -n 255; its "achieved
tok/s" line is read), else PyTorch running the same model from tick's own
script when --python can import torch; else none, and the last line says so.

Flags:`

func runBenchGenerate(args []string) error {
	flags := flag.NewFlagSet("tick bench generate", flag.ContinueOnError)
	tokens := flags.Int("tokens", 255, "tokens to generate per timed run (at most the shape's context less one: 255 for stories15M)")
	repeat := flags.Int("repeat", 3, "timed runs per implementation and thread count")
	threads := flags.String("threads", "1,2", "thread counts to measure, comma-separated")
	llama2c := flags.String("llama2c", "", "llama2.c's run binary to compare with")
	llama2cArgs := flags.String("llama2c-args", "", "arguments for the llama2.c binary, space-separated")
	python := flags.String("python", bench.DefaultPython, "a Python with torch, the peer when --llama2c is not given")
	shape := flags.String("shape", "stories15M", "the model's shape: stories15M, stories42M or stories110M (llama2.c's)")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), benchGenerateUsage)
		flags.PrintDefaults()
	}
	rest, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q: tick bench generate takes only flags", rest[0])
	}
	o, err := benchOptions(*threads, *repeat)
	if err != nil {
		return err
	}
	s, err := bench.GenShapeNamed(*shape)
	if err != nil {
		return err
	}
	switch {
	case *llama2c != "":
		if err := peerBinary("--llama2c", *llama2c); err != nil {
			return err
		}
		o.Peer = bench.GeneratePeerLlama2c(*llama2c, strings.Fields(*llama2cArgs))
	default:
		if o.Peer, err = bench.GeneratePeerTorch(*python, s, *tokens); err != nil {
			o.Peer, o.NoPeer = nil, err.Error()
		}
	}
	return bench.Generate(os.Stdout, s, *tokens, o)
}
