package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tick-llm/tick/demos/internal/demotest"
	"github.com/tick-llm/tick/internal/pngfile"
)

// TestRun trains a tiny two-layer model, runs the demo on it and checks: a
// map per head of each layer, with a row per prompt token and nothing shaded
// above the diagonal (a token cannot attend to later ones); a sentence per
// head; and a PNG that decodes, a row of tiles per layer. (The maps' cells
// and the PNG's colours are checked against the weights in package
// attention's tests.)
func TestRun(t *testing.T) {
	const layers, heads = 2, 4
	cfg := defaultConfig()
	cfg.Model, cfg.Out = demotest.Run(t, layers, heads), filepath.Join(t.TempDir(), "out")
	cfg.Prompt = "the cat sat"

	var buf bytes.Buffer
	if err := run(context.Background(), &buf, cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := len(regexp.MustCompile(`(?m)^  head \d+: `).FindAllString(out, -1)); n != layers*heads {
		t.Errorf("%d head sentences, want %d", n, layers*heads)
	}
	T := len(cfg.Prompt) // a character-level model: a token per character
	lines := strings.Split(out, "\n")
	title := regexp.MustCompile(`^ +head \d+( +head \d+)*$`)
	maps := 0
	for n := 0; n < len(lines); n++ {
		if !title.MatchString(lines[n]) {
			continue
		}
		starts := regexp.MustCompile(`head \d+`).FindAllStringIndex(lines[n], -1)
		maps += len(starts)
		for n++; strings.Trim(lines[n], " 0123456789") == ""; n++ { // key positions
		}
		for i := range T {
			row := []rune(lines[n+i]) // the labels here are one column wide each
			if !regexp.MustCompile(`^ *\d+ `).MatchString(lines[n+i]) {
				t.Fatalf("map row %d is %q, not a row of query %d", i, lines[n+i], i)
			}
			for h, s := range starts {
				for j := i + 1; j < T && s[0]+j < len(row); j++ {
					if c := row[s[0]+j]; c != ' ' && c != '│' {
						t.Errorf("head %d of its band: query %d gives key %d, after it, a shaded %q", h, i, j, c)
					}
				}
			}
		}
		n += T - 1
	}
	if maps != layers*heads {
		t.Errorf("%d maps, want %d (layers x heads):\n%s", maps, layers*heads, out)
	}

	img, err := pngfile.Read(filepath.Join(cfg.Out, "attention.png"))
	if err != nil {
		t.Fatalf("attention.png: %v", err)
	}
	// Square tiles, a row per layer and a column per head, and the colour
	// scale beside them: wider than heads/layers times the height.
	if b := img.Bounds(); b.Dx()*layers <= b.Dy()*heads || b.Dy() < layers*T*9 {
		t.Errorf("attention.png is %dx%d pixels; want %d square tiles across, %d down, each at least %d pixels, and a colour scale", b.Dx(), b.Dy(), heads, layers, T*9)
	}
}
