package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/term"

	"github.com/tick-llm/tick/tokenizer"
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
	fs := newFlags("tick generate", "Usage: tick generate --model DIR [--prompt TEXT] [flags]\n\n"+
		"Continues TEXT one token at a time; without it, starts from the\n"+
		"tokenizer's <|endoftext|> (char and byte tokenizers have none). With\n"+
		"--step, shows each step: the candidates, their probabilities, the entropy,\n"+
		"and which token was chosen and why. On a terminal --step is interactive,\n"+
		"a key press each, no Enter needed: Enter takes the sampler's token, a\n"+
		"digit picks that candidate, b goes back one step, + and - change the\n"+
		"temperature and [ and ] top-k from this step on, a runs to the end, q\n"+
		"quits and prints the text so far.")
	var (
		model       = fs.String("model", "", "run folder written by 'tick train' (required)")
		prompt      = fs.String("prompt", "", "text to continue (empty: start from the tokenizer's\nbeginning-of-text token, where it has one)")
		maxTokens   = fs.Int("max-tokens", 200, "tokens to generate at most")
		temperature = fs.Float64("temperature", 0.8, "divide logits by this; 0 is greedy\n(always the most probable token)")
		topK        = fs.Int("top-k", 0, "sample only among the K most probable tokens (0: all)")
		topP        = fs.Float64("top-p", 1, "sample only among the most probable tokens whose\nprobabilities add up to P (1: all)")
		seed        = fs.Uint64("seed", 1, "random seed: the same seed gives the same text")
		step        = fs.Bool("step", false, "show every step: candidates, probabilities, entropy, choice")
		format      = fs.String("format", "text", "output of --step: text (a table per step) or json\n(one object per line, for programs; implies --step)")
		candidates  = fs.Int("candidates", generate.DefaultTop, "candidates shown per step with --step (at most 10\non a terminal, where a digit picks one)")
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
	m, tok, err := loadForGeneration(*model)
	if err != nil {
		return err
	}
	ids, err := promptIDs(tok, *prompt)
	if err != nil {
		return err
	}
	interactive := term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
	mode := generate.ModeText
	switch {
	case *format == "json":
		mode = generate.ModeJSON
	case *step && interactive:
		mode = generate.ModeInteractive
		if *candidates > generate.MaxPick {
			fmt.Fprintf(os.Stderr, "note: showing %d of --candidates %d (keys 0-9 pick them); a pipe shows all %d\n",
				generate.MaxPick, *candidates, *candidates)
			*candidates = generate.MaxPick
		}
	case *step:
		mode = generate.ModeTrace
	}
	// Plain text reads only the chosen tokens: greedy steps then skip the
	// softmax (the same tokens; --step computes and prints it).
	g, err := generate.New(m, ids, generate.Options{Sample: opts, Seed: *seed, Top: *candidates, TokenText: tok.TokenBytes,
		ChoiceOnly: mode == generate.ModeText})
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
		Header:    g.Settings() + "\ncompute: " + m.GenerationPath() + fmt.Sprintf("; %d cores", runtime.GOMAXPROCS(0)),
	}
	end, hasEnd := generate.EndOfText(tok.VocabSize(), tok.TokenBytes)
	if hasEnd {
		loop.Stop = func(id int) bool { return id == end }
	}
	// The start and end markers have no text: the trace shows them, the
	// text does not (no prompt starts from one).
	start, hasStart := generate.BeginningOfText(tok.VocabSize(), tok.TokenBytes)
	loop.Special = func(id int) bool { return (hasStart && id == start) || (hasEnd && id == end) }
	if mode == generate.ModeInteractive {
		// One key at a time: raw mode, put back however tick ends.
		t, err := makeRaw(os.Stdin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "note: reading keys line by line (press Enter after each): %v\n", err)
		} else {
			defer t.Close()
			loop.Keys, loop.Out = t, t.Writer(os.Stdout)
		}
	}
	_, err = loop.Run()
	return flagAdvice(err)
}

// promptIDs encodes the prompt. An empty one starts from the tokenizer's
// beginning-of-text token, as GPT-2 does with <|endoftext|>; a tokenizer
// without one (char, byte) cannot start from nothing.
func promptIDs(tok tokenizer.Tokenizer, prompt string) ([]int, error) {
	if prompt != "" {
		ids, err := tok.Encode(prompt)
		if err != nil {
			return nil, fmt.Errorf("prompt: %w", err)
		}
		return ids, nil
	}
	start, ok := generate.BeginningOfText(tok.VocabSize(), tok.TokenBytes)
	if !ok {
		return nil, fmt.Errorf("--prompt is empty and this model's %s tokenizer has no beginning-of-text token (such as <|endoftext|>) to start from: give --prompt TEXT", tok.Name())
	}
	return []int{start}, nil
}

// rawTerminal is the terminal on standard input in raw mode, where each key
// reaches tick as it is pressed, without Enter and without echo. It reads
// the keys (generate.RawKeys) and puts the terminal back as it was on Close,
// which the Loop calls when it stops asking, runGenerate defers, and a
// signal triggers before tick exits (raw mode turns Ctrl-C into a key, but
// kill, a closed terminal or a Ctrl-C after the stepping still signal).
type rawTerminal struct {
	fd   int
	old  *term.State
	raw  atomic.Bool
	keys generate.Keys
	once sync.Once
	sigs chan os.Signal
	done chan struct{}
}

func makeRaw(in *os.File) (*rawTerminal, error) {
	t := &rawTerminal{fd: int(in.Fd()), keys: generate.RawKeys(in), sigs: make(chan os.Signal, 1), done: make(chan struct{})}
	// Watch for signals first: one that comes just after MakeRaw must
	// still find the terminal's old state to put back.
	signal.Notify(t.sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	old, err := term.MakeRaw(t.fd)
	if err != nil {
		signal.Stop(t.sigs)
		return nil, fmt.Errorf("raw mode: %w", err)
	}
	t.old = old
	t.raw.Store(true)
	go func() {
		select {
		case sig := <-t.sigs:
			t.Close()
			code := 1
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s) // the shell's way to say "killed by s"
			}
			os.Exit(code)
		case <-t.done:
		}
	}()
	return t, nil
}

// ReadKey waits for the next key press.
func (t *rawTerminal) ReadKey() (string, error) { return t.keys.ReadKey() }

// Close puts the terminal back as it was; only the first call does.
func (t *rawTerminal) Close() error {
	var err error
	t.once.Do(func() {
		signal.Stop(t.sigs)
		t.raw.Store(false)
		err = term.Restore(t.fd, t.old)
		close(t.done)
	})
	return err
}

// Writer is w with each \n written as \r\n while the terminal is raw: raw
// mode also turns off the output processing that does that (OPOST), and a
// bare \n moves down a line without going back to its start.
func (t *rawTerminal) Writer(w io.Writer) io.Writer { return crlfWriter{w, &t.raw} }

type crlfWriter struct {
	w   io.Writer
	raw *atomic.Bool
}

func (c crlfWriter) Write(p []byte) (int, error) {
	if !c.raw.Load() {
		return c.w.Write(p)
	}
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
