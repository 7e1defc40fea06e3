package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tick-llm/tick/demos/internal/demotest"
	"gonum.org/v1/gonum/mat"
)

// TestRun trains a tiny two-layer model, runs the demo on it and checks: one
// terminal map row per prompt token and head summary per head, nothing
// shaded above the diagonal (a token cannot attend to later ones), and the
// PNG decodes with one tile per head.
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
		t.Errorf("%d head summaries, want %d", n, layers*heads)
	}
	T := len(cfg.Prompt)
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "│") {
			continue
		}
		rows++
		i := (rows - 1) % T // query position of this row
		for h, part := range strings.Split(string([]rune(line)[6:]), " │ ") {
			cells := []rune(part)
			for j := i + 1; j < len(cells); j++ {
				if cells[j] != ' ' {
					t.Errorf("row %d head %d: key %d after the query is shaded %q", i, h, j, cells[j])
				}
			}
		}
	}
	if rows != layers*T {
		t.Errorf("%d map rows, want %d (layers x prompt tokens)", rows, layers*T)
	}
	f, err := os.Open(filepath.Join(cfg.Out, "attention.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("attention.png: %v", err)
	}
	// One square tile per head: as many tiles across as heads, as many
	// down as layers, each wide enough for the prompt's tokens.
	b := img.Bounds()
	if d := b.Dx()*layers - b.Dy()*heads; d < -heads || d > heads || b.Dy() < layers*T*9 {
		t.Errorf("attention.png is %dx%d pixels; want %d square tiles across and %d down, each at least %d pixels", b.Dx(), b.Dy(), heads, layers, T*9)
	}
}

// TestDescribe checks the words for three textbook heads.
func TestDescribe(t *testing.T) {
	const T = 5
	self, prev, first := mat.NewDense(T, T, nil), mat.NewDense(T, T, nil), mat.NewDense(T, T, nil)
	for i := range T {
		self.Set(i, i, 1)
		prev.Set(i, max(0, i-1), 1)
		first.Set(i, 0, 1)
	}
	for _, tc := range []struct {
		a    *mat.Dense
		want string
	}{
		{self, "mostly looks at the token itself"}, {self, "strongest on itself in 4 of 4 rows"},
		{prev, "mostly looks at the previous token"}, {prev, "strongest on the previous token in 4 of 4 rows"},
		{first, "mostly looks at the first token"},
	} {
		if got := describe(tc.a); !strings.Contains(got, tc.want) {
			t.Errorf("describe = %q, want it to say %q", got, tc.want)
		}
	}
	uniform := mat.NewDense(T, T, nil)
	for i := range T {
		for j := 0; j <= i; j++ {
			uniform.Set(i, j, 1/float64(i+1))
		}
	}
	if got := describe(uniform); !strings.Contains(got, "spreads") {
		t.Errorf("uniform head: %q, want it to say it spreads", got)
	}
}

func TestShade(t *testing.T) {
	for _, tc := range []struct {
		a    float64
		want string
	}{{0, " "}, {0.1, "░"}, {0.3, "▒"}, {0.5, "▓"}, {1, "█"}} {
		if got := shade(tc.a); got != tc.want {
			t.Errorf("shade(%v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}
