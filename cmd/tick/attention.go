package main

import (
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/tick-llm/tick/attention"
	"github.com/tick-llm/tick/internal/words"
	"github.com/tick-llm/tick/transformer"
)

func init() {
	commands["attention"] = command{
		summary: "show where a trained model looks, head by head",
		run:     runAttention,
	}
}

// attentionJSON is one head's map in --format json, one per line.
type attentionJSON struct {
	Layer   int         `json:"layer"`
	Head    int         `json:"head"`
	Tokens  []string    `json:"tokens"`  // each token's text
	IDs     []int       `json:"ids"`     // and ID
	Weights [][]float64 `json:"weights"` // [query][key], zeros above the diagonal
}

func runAttention(args []string) error {
	fs := newFlags("tick attention", "Usage: tick attention --model DIR --prompt TEXT [--layer L] [--head H]\n"+
		"                      [--png FILE] [--format text|json]\n\n"+
		"Shows where a trained model looks: for each token of TEXT (a row, the\n"+
		"query), the share of its attention it gives each token up to itself (a\n"+
		"column, the key), in every head of every layer, or only in those picked\n"+
		"with --layer and --head. A row adds up to 1, and nothing lies above the\n"+
		"diagonal: no token can look ahead. --png draws the same maps as heat maps\n"+
		"with a colour scale.")
	var (
		model  = fs.String("model", "", "run folder written by 'tick train' (required)")
		prompt = fs.String("prompt", "", "text to look at (required); one row and column per token")
		layer  = fs.Int("layer", -1, "show only this layer, counting from 0 (-1: all)")
		head   = fs.Int("head", -1, "show only this head of each layer, from 0 (-1: all)")
		png    = fs.String("png", "", "also draw the maps shown into this PNG `file`")
		format = fs.String("format", "text", "text (shaded blocks) or json (one object per head\nand line, with the weights, for programs)")
	)
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return fmt.Errorf("unexpected argument %q; pass the text with --prompt", rest[0])
	case *model == "":
		return errors.New("--model is required: give a run folder written by 'tick train'")
	case *prompt == "":
		return errors.New("--prompt is empty: give the text whose attention to show")
	case *format != "text" && *format != "json":
		return fmt.Errorf("--format is %q: use text or json", *format)
	}
	m, tok, err := loadModel(*model)
	if err != nil {
		return err
	}
	c := m.Config
	if *layer < -1 || *layer >= c.Layers {
		return fmt.Errorf("--layer %d is out of range: the model has %s; pick 0 to %d, or leave --layer out for all", *layer, words.Count(c.Layers, "layer"), c.Layers-1)
	}
	if *head < -1 || *head >= c.Heads {
		return fmt.Errorf("--head %d is out of range: each layer has %s; pick 0 to %d, or leave --head out for all", *head, words.Count(c.Heads, "head"), c.Heads-1)
	}
	ids, err := tok.Encode(*prompt)
	if err != nil {
		return fmt.Errorf("--prompt: %w", flagAdvice(err))
	}
	if len(ids) < 2 {
		return fmt.Errorf("--prompt %q is %s: give at least 2, so that a token has another to look at", *prompt, words.Count(len(ids), "token"))
	}
	if len(ids) > c.Context {
		fmt.Fprintf(os.Stderr, "note: --prompt is %d tokens, more than the model's context of %d: showing its first %d (shorten it to see it all)\n",
			len(ids), c.Context, c.Context)
		ids = ids[:c.Context]
	}

	maps, err := attention.Maps(m, ids)
	if err != nil {
		return err
	}
	var shown [][]attention.Head // a row per layer shown
	for l, heads := range maps {
		if *layer >= 0 && l != *layer {
			continue
		}
		if *head >= 0 {
			heads = heads[*head : *head+1]
		}
		shown = append(shown, heads)
	}
	labels := attention.Labels(tok, ids)

	if *format == "json" {
		enc := json.NewEncoder(os.Stdout)
		tokens := make([]string, len(ids))
		for i, id := range ids {
			tokens[i] = string(tok.TokenBytes(id))
		}
		for _, heads := range shown {
			for _, h := range heads {
				w := make([][]float64, len(ids))
				for i := range w {
					w[i] = h.Weights.RawRowView(i)
				}
				if err := enc.Encode(attentionJSON{Layer: h.Layer, Head: h.Head, Tokens: tokens, IDs: ids, Weights: w}); err != nil {
					return err
				}
			}
		}
	} else {
		width := 80
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			width = w
		}
		fmt.Printf("model: %s, %s x %s, context %d (backend %s)\n", *model, words.Count(c.Layers, "layer"), words.Count(c.Heads, "head"), c.Context, transformer.Backend)
		fmt.Printf("prompt: %s; a row is a token (query), a column a token it looks at (key)\n", words.Count(len(ids), "token"))
		fmt.Printf("shading: %s\n", attention.Legend())
		attention.Write(os.Stdout, shown, labels, width)
	}

	if *png != "" {
		if err := os.MkdirAll(filepath.Dir(*png), 0o755); err != nil {
			return fmt.Errorf("--png %s: its folder cannot be created (%v); choose another path", *png, pathCause(err))
		}
		if err := attention.WritePNG(*png, shown, labels); err != nil {
			return fmt.Errorf("--png %s cannot be written (%v); choose another path", *png, pathCause(err))
		}
		if *format == "text" {
			fmt.Printf("\nheat maps: %s\n", *png)
		}
	}
	return nil
}

// pathCause is what the system said about a file (permission denied, not
// a directory), without the temporary file's name.
func pathCause(err error) error {
	var pe *iofs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
