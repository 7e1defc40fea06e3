// Command generate steps through autoregressive generation with the model
// the tinygpt demo trained: at each step the candidates for the next token
// with their probabilities and the one chosen; then how temperature, top-k
// and top-p reshape one and the same distribution, and what text each
// setting writes.
//
//	go run ./demos/generate [-model out/tinygpt] [-prompt "The Rays"] [-steps 6]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// config says which model to use and what to show.
type config struct {
	Model      string // run folder of a trained model
	Prompt     string // text the generation continues
	Steps      int    // generation steps shown one by one
	Top        int    // candidates listed per step
	TextTokens int    // length of the texts written under each setting
	Seed       uint64 // sampler seed
	Width      int    // terminal width for the step tables
}

func defaultConfig() config {
	return config{
		Model:  filepath.Join("out", "tinygpt"),
		Prompt: "The Rays of Light ", Steps: 6, Top: 8, TextTokens: 120, Seed: 7, Width: 80,
	}
}

func main() {
	cfg := defaultConfig()
	flag.StringVar(&cfg.Model, "model", cfg.Model, "run folder of a trained model (go run ./demos/tinygpt makes one)")
	flag.StringVar(&cfg.Prompt, "prompt", cfg.Prompt, "text to continue")
	flag.IntVar(&cfg.Steps, "steps", cfg.Steps, "generation steps to show one by one")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "sampler seed")
	flag.Parse()
	demo.Main("generate", func(ctx context.Context, w io.Writer) error { return run(ctx, w, cfg) })
}

// run is the whole demo, writing to w.
func run(ctx context.Context, w io.Writer, cfg config) error {
	m, tok, err := demo.LoadModel(cfg.Model)
	if err != nil {
		return err
	}
	m.SetTraining(false, 0)
	prompt, err := tok.Encode(cfg.Prompt)
	if err != nil {
		return fmt.Errorf("prompt: %w", err)
	}
	if len(prompt) == 0 {
		return fmt.Errorf("the prompt is empty: give some text with -prompt")
	}
	fmt.Fprintf(w, "Model: %s (%d parameters, %s tokenizer with %d tokens; %s backend).\n\n",
		cfg.Model, m.NumParams(), tok.Name(), tok.VocabSize(), transformer.Backend)
	fmt.Fprintln(w, "Generation is a loop. The model reads the text so far and gives every token of its")
	fmt.Fprintln(w, "vocabulary a probability of coming next; one token is picked and appended; repeat.")
	fmt.Fprintln(w, "A key/value cache keeps what the model computed for earlier tokens, so each step")
	fmt.Fprintln(w, "only processes the one new token. Entropy says how unsure the model is.")
	fmt.Fprintln(w)

	tokenText := func(id int) []byte { return tok.TokenBytes(id) }
	// Temperature 0.8 with top-p 0.95: a common choice for readable text.
	traced := sample.Options{Temperature: 0.8, TopK: 0, TopP: 0.95}
	fmt.Fprintf(w, "Sampling with temperature %.1f and top-p %.2f, seed %d:\n", traced.Temperature, traced.TopP, cfg.Seed)
	g, err := generate.New(m, prompt, generate.Options{Sample: traced, Seed: cfg.Seed, Top: cfg.Top, TokenText: tokenText})
	if err != nil {
		return err
	}
	for range cfg.Steps {
		st, err := g.Propose()
		if err != nil {
			return err
		}
		if err := generate.RenderStep(w, st, tok.Decode(st.ContextIDs), cfg.Width); err != nil {
			return err
		}
		if err := g.Accept(st.Chosen.ID); err != nil {
			return err
		}
	}

	logits, err := g.Logits()
	if err != nil {
		return err
	}
	context := tok.Decode(g.IDs())
	fmt.Fprintf(w, "\nOne distribution, several ways to pick from it. After %q the model's\n", context)
	fmt.Fprintln(w, "logits are fixed; the settings below only change how a token is drawn from them:")
	fmt.Fprintln(w, "  temperature T divides the logits before the softmax: T<1 sharpens, T>1 flattens;")
	fmt.Fprintln(w, "  top-k keeps the k most likely tokens; top-p keeps the fewest most likely tokens")
	fmt.Fprintln(w, "  whose probabilities add up to p. The survivors are renormalised to sum to 100%.")
	table, err := compareSettings(logits, settings, cfg.Top)
	if err != nil {
		return err
	}
	writeTable(w, table, tokenText)

	fmt.Fprintf(w, "\nThe same prompt, %d tokens, under each setting (seed %d):\n", cfg.TextTokens, cfg.Seed)
	for _, s := range settings {
		text, err := write(m, tok, prompt, s.opts, cfg.TextTokens, cfg.Seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "── %s ──\n%s\n", s.name, indent(text))
	}
	fmt.Fprintln(w, "\nGreedy decoding always takes the most likely token and easily falls into a loop; a high")
	fmt.Fprintln(w, "temperature lets unlikely tokens through and the text falls apart; top-k and top-p")
	fmt.Fprintln(w, "cut the unlikely tail so sampling stays varied but sensible.")
	fmt.Fprintf(w, "Step through it yourself: tick generate --model %s --step\n", cfg.Model)
	return nil
}

// write continues prompt by n tokens with sampling options o.
func write(m *transformer.Model, tok tokenizer.Tokenizer, prompt []int, o sample.Options, n int, seed uint64) (string, error) {
	ids, err := generate.Continue(m, prompt, n, o, seed)
	if err != nil {
		return "", err
	}
	return string(tok.Decode(append(slices.Clone(prompt), ids...))), nil
}
