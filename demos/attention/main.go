// Command attention shows where a trained model looks: for a prompt, the
// attention weights of every head of every layer, as shaded blocks in the
// terminal and as a grid of heat maps in a PNG. The views are package
// attention's, the same as tick attention's; this demo adds the words.
//
//	go run ./demos/attention [-model out/tinygpt] [-prompt "the Rays of Light"] [-out out/attention]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tick-llm/tick/attention"
	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/transformer"
)

// config says which model to use and what to show.
type config struct {
	Model  string // run folder of a trained model
	Prompt string // the text whose attention is shown
	Out    string // folder for the PNG
}

func defaultConfig() config {
	return config{
		Model:  filepath.Join("out", "tinygpt"),
		Prompt: "the Rays of Light", Out: filepath.Join("out", "attention"),
	}
}

func main() {
	cfg := defaultConfig()
	flag.StringVar(&cfg.Model, "model", cfg.Model, "run folder of a trained model (go run ./demos/tinygpt makes one)")
	flag.StringVar(&cfg.Prompt, "prompt", cfg.Prompt, "text to look at (keep it short: one column per token)")
	flag.StringVar(&cfg.Out, "out", cfg.Out, "folder for the PNG")
	flag.Parse()
	demo.Main("attention", func(ctx context.Context, w io.Writer) error { return run(ctx, w, cfg) })
}

// run is the whole demo, writing to w.
func run(ctx context.Context, w io.Writer, cfg config) error {
	m, tok, err := demo.LoadModel(cfg.Model)
	if err != nil {
		return err
	}
	ids, err := tok.Encode(cfg.Prompt)
	if err != nil {
		return fmt.Errorf("prompt: %w", err)
	}
	if len(ids) < 2 {
		return fmt.Errorf("the prompt %q is %d token(s); give at least two so there is something to attend to", cfg.Prompt, len(ids))
	}
	if len(ids) > m.Config.Context {
		ids = ids[:m.Config.Context]
		fmt.Fprintf(w, "(The prompt is cut to the model's context of %d tokens.)\n", m.Config.Context)
	}
	maps, err := attention.Maps(m, ids)
	if err != nil {
		return err
	}
	c := m.Config
	fmt.Fprintf(w, "Model: %s, %d layers x %d heads (%s backend). Prompt: %q, %d tokens.\n\n",
		cfg.Model, c.Layers, c.Heads, transformer.Backend, cfg.Prompt, len(ids))
	fmt.Fprintln(w, "In attention, each token (a row, the query) takes a weighted mix of the tokens")
	fmt.Fprintln(w, "before it and itself (the columns, the keys); the weights in a row add up to 1.")
	fmt.Fprintln(w, "Nothing can look ahead, so the upper right of every map is empty. Every head")
	fmt.Fprintln(w, "learns its own pattern.")
	fmt.Fprintf(w, "Shading: %s\n", attention.Legend())
	labels := attention.Labels(tok, ids)
	attention.Write(w, maps, labels, 80)

	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	path := filepath.Join(cfg.Out, "attention.png")
	if err := attention.WritePNG(path, maps, labels); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nAll heads as heat maps (rows: layers, columns: heads; in each, the keys\nacross and the queries down, with a colour scale of the weights): %s\n", path)
	return nil
}
