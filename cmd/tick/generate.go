package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

func init() {
	commands["generate"] = command{
		summary: "generate text from a trained model, optionally step by step",
		run:     runGenerate,
	}
}

func runGenerate(args []string) error {
	fs := flag.NewFlagSet("tick generate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tick generate --model DIR --prompt TEXT [flags]\n\n"+
			"Continues TEXT one token at a time. With --step, shows each step: the\n"+
			"candidates, their probabilities, the entropy, and which token was chosen\n"+
			"and why. On a terminal --step is interactive: Enter takes the next step,\n"+
			"a digit picks that candidate, a runs to the end, q quits.\n\nFlags:")
		fs.PrintDefaults()
	}
	var (
		model       = fs.String("model", "", "run folder written by 'tick train' (required)")
		prompt      = fs.String("prompt", "", "text to continue (required)")
		maxTokens   = fs.Int("max-tokens", 200, "tokens to generate at most")
		temperature = fs.Float64("temperature", 0.8, "divide logits by this; 0 is greedy\n(always the most probable token)")
		topK        = fs.Int("top-k", 0, "sample only among the K most probable tokens (0: all)")
		topP        = fs.Float64("top-p", 1, "sample only among the most probable tokens whose\nprobabilities add up to P (1: all)")
		seed        = fs.Uint64("seed", 1, "random seed: the same seed gives the same text")
		step        = fs.Bool("step", false, "show every step: candidates, probabilities, entropy, choice")
		format      = fs.String("format", "text", "output of --step: text (a table per step) or json\n(one object per line, for programs; implies --step)")
		candidates  = fs.Int("candidates", generate.DefaultTop, "candidates shown per step with --step (1-10 on a\nterminal, where a digit picks one)")
	)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q; pass the text with --prompt", rest[0])
	}
	if *model == "" {
		return errors.New("--model is required: give a run folder written by 'tick train'")
	}
	if *prompt == "" {
		return errors.New("--prompt is empty: give the text the model should continue")
	}
	if *maxTokens < 1 {
		return fmt.Errorf("--max-tokens is %d: generate at least 1 token", *maxTokens)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("--format is %q: use text or json", *format)
	}
	if *candidates < 1 {
		return fmt.Errorf("--candidates is %d: show at least 1", *candidates)
	}
	opts := sample.Options{Temperature: *temperature, TopK: *topK, TopP: *topP}
	if err := opts.Validate(); err != nil {
		return flagAdvice(err)
	}
	if _, err := os.Stat(*model); err != nil {
		return fmt.Errorf("model folder %q: %w; train one with 'tick train --out DIR'", *model, errors.Unwrap(err))
	}

	m, tok, err := checkpoint.LoadModel(*model)
	if err != nil {
		return err
	}
	ids, err := tok.Encode(*prompt)
	if err != nil {
		return fmt.Errorf("prompt: %w", err)
	}
	interactive := term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
	mode := generate.ModeText
	switch {
	case *format == "json":
		mode = generate.ModeJSON
	case *step && interactive:
		mode = generate.ModeInteractive
		*candidates = min(*candidates, 10)
	case *step:
		mode = generate.ModeTrace
	}
	g, err := generate.New(m, ids, generate.Options{Sample: opts, Seed: *seed, Top: *candidates, TokenText: tok.TokenBytes})
	if err != nil {
		return flagAdvice(err)
	}

	width := 80
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
		width = w
	}
	loop := generate.Loop{
		Stepper:   g,
		TokenText: tok.TokenBytes,
		Mode:      mode,
		MaxTokens: *maxTokens,
		In:        os.Stdin,
		Out:       os.Stdout,
		Width:     width,
		Header:    g.Settings(),
	}
	if end, ok := generate.EndOfText(tok.VocabSize(), tok.TokenBytes); ok {
		loop.Stop = func(id int) bool { return id == end }
	}
	_, err = loop.Run()
	return flagAdvice(err)
}
