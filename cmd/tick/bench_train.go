package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tick-llm/tick/internal/bench"
	"github.com/tick-llm/tick/transformer"
)

// benchTargets are the bench targets besides tokenizer (bench.go).
var benchTargets = map[string]func(args []string) error{}

func init() { benchTargets["train"] = runBenchTrain }

const benchTrainUsage = `Usage: tick bench train [flags]

Times whole optimiser steps (forward, backward, gradient clipping, AdamW) of
tick and of a peer on the same model in the same run, at 1 and 2 threads,
alternating the two, and ends with "speedup: N.NNx" (tick's best tokens/s
over the peer's best). The shape (--shape) is the nanoGPT CPU recipe's by
default: 4 layers x 128, context 64, batch 12, vocabulary 256; gpt2-124M is
llm.c's own CPU run: GPT-2 small (12 layers x 768, vocabulary 50,257),
context 64, batch 4. tick computes in float32 as tick train does
(--precision float64 for its float64 path), PyTorch in float32.

Peer: an llm.c CPU trainer with --llmc PATH (its "took N ms" step lines are
read; it must train the same shape), else PyTorch running the same model
from tick's own script when --python can import torch; else none, and the
last line says so.

Flags:`

func runBenchTrain(args []string) error {
	flags := flag.NewFlagSet("tick bench train", flag.ContinueOnError)
	steps := flags.Int("steps", 20, "optimiser steps per timed run")
	repeat := flags.Int("repeat", 3, "timed runs per implementation and thread count")
	threads := flags.String("threads", "1,2", "thread counts to measure, comma-separated")
	llmc := flags.String("llmc", "", "an llm.c training binary to compare with")
	llmcArgs := flags.String("llmc-args", "", "arguments for the llm.c binary, space-separated")
	python := flags.String("python", bench.DefaultPython, "a Python with torch, the peer when --llmc is not given")
	precision := flags.String("precision", "float32", "float32 (as tick train) or float64")
	shape := flags.String("shape", "nanogpt", "the model and batch: nanogpt or gpt2-124M")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), benchTrainUsage)
		flags.PrintDefaults()
	}
	rest, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q: tick bench train takes only flags", rest[0])
	}
	o, err := benchOptions(*threads, *repeat)
	if err != nil {
		return err
	}
	s, err := bench.TrainShapeNamed(*shape)
	if err != nil {
		return err
	}
	if s.Precision, err = transformer.ParsePrecision(*precision); err != nil {
		return fmt.Errorf("--precision: %w", err)
	}
	switch {
	case *llmc != "":
		if err := peerBinary("--llmc", *llmc); err != nil {
			return err
		}
		o.Peer = bench.TrainPeerLLMC(*llmc, strings.Fields(*llmcArgs), s)
	default:
		if o.Peer, err = bench.TrainPeerTorch(*python, s, *steps); err != nil {
			o.Peer, o.NoPeer = nil, err.Error()
		}
	}
	return bench.Train(os.Stdout, s, *steps, o)
}

// benchOptions parses --threads and --repeat.
func benchOptions(threads string, repeat int) (bench.Options, error) {
	if repeat < 1 {
		return bench.Options{}, fmt.Errorf("--repeat %d: need at least 1 run", repeat)
	}
	o := bench.Options{Repeats: repeat}
	for _, f := range strings.Split(threads, ",") {
		var t int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &t); err != nil || t < 1 || t > 1024 {
			return o, fmt.Errorf("--threads %q: give thread counts from 1 up, comma-separated, such as 1,2", threads)
		}
		o.Threads = append(o.Threads, t)
	}
	return o, nil
}

// peerBinary checks that a peer program given with flag exists and is a
// regular executable file, before any timing starts.
func peerBinary(flag, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s %s: %w; give the path of the built program", flag, path, err)
	}
	if !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s %s: not an executable file; give the path of the built program", flag, path)
	}
	return nil
}
