// Command openweights shows what "open weights" means: a model is a folder
// of named tensors plus a config that says how to wire them, and the same
// code runs a model tick trained and one Meta or OpenAI published.
//
// With no -model it builds a small random Llama-style model, writes it as a
// Hugging Face folder (config.json, model.safetensors, tokenizer.json),
// reads the folder back and shows that every next-token distribution is the
// same. With -model DIR (a folder from huggingface.co, e.g. a git clone of
// openai-community/gpt2 or meta-llama/Llama-3.2-1B) it steps through that
// model's generation, candidates and probabilities at each step.
//
//	go run ./demos/openweights [-model DIR] [-prompt "The capital of France is"] [-steps 6]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/hf"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

type config struct {
	Model  string // a Hugging Face folder; "" for the round trip
	Prompt string
	Steps  int
	Seed   uint64
}

func main() {
	cfg := config{Prompt: "The capital of France is", Steps: 6, Seed: 1}
	flag.StringVar(&cfg.Model, "model", "", "a Hugging Face model folder (git clone of a model repository); none: a round trip of a random model")
	flag.StringVar(&cfg.Prompt, "prompt", cfg.Prompt, "text to continue")
	flag.IntVar(&cfg.Steps, "steps", cfg.Steps, "generation steps to show")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the random model and of sampling")
	flag.Parse()
	demo.Main("openweights", func(ctx context.Context, w io.Writer) error {
		if cfg.Model == "" {
			return roundTrip(w, cfg)
		}
		return step(w, cfg)
	})
}

// roundTrip exports a random model and reads it back.
func roundTrip(w io.Writer, cfg config) error {
	c, err := transformer.Preset("llama")
	if err != nil {
		return err
	}
	c.RopeScaling = &transformer.RopeScaling{Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalContext: 32}
	m, err := transformer.New(c, cfg.Seed)
	if err != nil {
		return err
	}
	var tok tokenizer.Tokenizer = tokenizer.Byte{}
	dir, err := os.MkdirTemp("", "tick-openweights-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) // the demo's own temporary folder
	fmt.Fprintf(w, "A random Llama-style model: %d layers, width %d, %d query heads sharing %d key/value heads,\n", c.Layers, c.Dim, c.Heads, c.KVHeads)
	fmt.Fprintf(w, "RoPE with Llama 3.1's frequency scaling, %d parameters.\n\n", m.NumParams())
	if err := hf.ExportFolder(m, tok, dir, "F32"); err != nil {
		return err
	}
	fmt.Fprintln(w, "Written as a Hugging Face folder, the form every open-weights model is published in:")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		st, _ := os.Stat(filepath.Join(dir, e.Name()))
		fmt.Fprintf(w, "  %-24s %9d bytes\n", e.Name(), st.Size())
	}
	t0 := time.Now()
	back, backTok, err := hf.Open(dir, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nRead back in %.0f ms through the same loader that reads GPT-2 or Llama 3.2.\n", float64(time.Since(t0).Microseconds())/1000)
	ids, err := backTok.Encode(cfg.Prompt)
	if err != nil {
		return err
	}
	worst, err := compare(m, back, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Next-token distributions at all %d positions of %q:\n", len(ids), cfg.Prompt)
	fmt.Fprintf(w, "  largest difference in any probability: %.2g (float32 storage rounds the weights)\n", worst)
	fmt.Fprintln(w, "\nThe tensors carry Hugging Face's names (model.layers.0.self_attn.q_proj.weight ...);")
	fmt.Fprintln(w, "`tick export` writes a trained run this way, and `tick generate --model DIR` runs any")
	fmt.Fprintln(w, "such folder. Give -model DIR to step through a published model.")
	return nil
}

// compare returns the largest difference between the next-token
// probabilities of a and b over ids.
func compare(a, b *transformer.Model, ids []int) (float64, error) {
	if _, err := a.Forward(ids, nil, 1, len(ids)); err != nil {
		return 0, err
	}
	pa := append([]float64(nil), a.Probs().RawMatrix().Data...)
	if _, err := b.Forward(ids, nil, 1, len(ids)); err != nil {
		return 0, err
	}
	worst := 0.0
	for i, p := range b.Probs().RawMatrix().Data {
		worst = math.Max(worst, math.Abs(p-pa[i]))
	}
	return worst, nil
}

// step walks through a published model's generation.
func step(w io.Writer, cfg config) error {
	t0 := time.Now()
	m, tok, err := hf.Open(cfg.Model, 0)
	if err != nil {
		return err
	}
	c := m.Config
	fmt.Fprintf(w, "%s: %s naming, %d layers, width %d, %d heads (%d key/value), vocabulary %d, context %d here;\n",
		cfg.Model, c.Naming, c.Layers, c.Dim, c.Heads, c.KVHeads, c.VocabSize, c.Context)
	fmt.Fprintf(w, "%d parameters, loaded in %.1f s.\n\n", m.NumParams(), time.Since(t0).Seconds())
	prompt, err := tok.Encode(cfg.Prompt)
	if err != nil {
		return err
	}
	g, err := generate.New(m, prompt, generate.Options{Sample: sample.Options{Temperature: 0.8, TopP: 0.95}, Seed: cfg.Seed, Top: 8,
		TokenText: func(id int) []byte { return tok.TokenBytes(id) }})
	if err != nil {
		return err
	}
	for range cfg.Steps {
		st, err := g.Propose()
		if err != nil {
			return err
		}
		if err := generate.RenderStep(w, st, tok.Decode(st.ContextIDs), 80); err != nil {
			return err
		}
		if err := g.Accept(st.Chosen.ID); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\n%s\n", tok.Decode(g.IDs()))
	return nil
}
