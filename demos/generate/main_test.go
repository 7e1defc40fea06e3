package main

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/demos/internal/demotest"
)

// TestRun first runs the demo where no model exists (a one-line error that
// says how to make one), then on a tiny trained model, and checks that it
// showed each step, the settings table and a text per setting.
func TestRun(t *testing.T) {
	cfg := defaultConfig()
	cfg.Model = filepath.Join(t.TempDir(), "no-run-here")
	cfg.Prompt, cfg.Steps, cfg.TextTokens = "the ", 3, 20
	err := run(context.Background(), new(bytes.Buffer), cfg)
	if err == nil || !strings.Contains(err.Error(), "no trained model in "+cfg.Model) || !strings.Contains(err.Error(), "demos/tinygpt") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("no model: error %v, want one line naming the folder and how to train one", err)
	}

	cfg.Model = demotest.Run(t, 1, 2)
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "── step "); n != cfg.Steps {
		t.Errorf("%d steps shown, want %d", n, cfg.Steps)
	}
	for _, s := range settings {
		if !strings.Contains(out, "── "+s.name+" ──\n    the ") {
			t.Errorf("no text written under setting %s", s.name)
		}
	}
	if !strings.Contains(out, "kept tokens") {
		t.Error("no settings table")
	}
}

// TestCompareSettings checks each setting's column against the textbook
// definitions computed here: softmax with temperature, top-k, top-p.
func TestCompareSettings(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	logits := make([]float64, 20)
	for i := range logits {
		logits[i] = 3 * rng.NormFloat64()
	}
	tab, err := compareSettings(logits, settings, 8)
	if err != nil {
		t.Fatal(err)
	}
	order := make([]int, len(logits)) // ids, most likely first
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if logits[a] > logits[b] {
			return -1
		}
		if logits[a] < logits[b] {
			return 1
		}
		return 0
	})
	if !slices.Equal(tab.ids, order[:8]) {
		t.Fatalf("candidates %v, want the 8 most likely %v", tab.ids, order[:8])
	}
	p1 := softmax(logits, 1)
	for _, c := range tab.cols {
		var want []float64 // final distribution by the definitions
		switch c.name {
		case "greedy":
			want = make([]float64, len(logits))
			want[order[0]] = 1
		case "T=0.5":
			want = softmax(logits, 0.5)
		case "T=1":
			want = p1
		case "T=2":
			want = softmax(logits, 2)
		case "top-k 3":
			want = keep(p1, order[:3])
		case "top-p 0.9":
			n, sum := 0, 0.0
			for sum < 0.9 {
				sum += p1[order[n]]
				n++
			}
			want = keep(p1, order[:n])
		default:
			t.Fatalf("no reference for setting %s", c.name)
		}
		kept, h := 0, 0.0
		for _, p := range want {
			if p > 0 {
				kept++
				h -= p * math.Log2(p)
			}
		}
		if c.kept != kept {
			t.Errorf("%s: %d kept, want %d", c.name, c.kept, kept)
		}
		if math.Abs(c.entropy-h) > 1e-9 {
			t.Errorf("%s: entropy %.6f, want %.6f", c.name, c.entropy, h)
		}
		for _, id := range tab.ids {
			if math.Abs(c.final[id]-want[id]) > 1e-9 {
				t.Errorf("%s: token %d drawn with %.6f, want %.6f", c.name, id, c.final[id], want[id])
			}
		}
	}
}

func softmax(logits []float64, T float64) []float64 {
	p := make([]float64, len(logits))
	mx, sum := slices.Max(logits), 0.0
	for i, l := range logits {
		p[i] = math.Exp((l - mx) / T)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// keep renormalises p over the ids listed, zero elsewhere.
func keep(p []float64, ids []int) []float64 {
	out := make([]float64, len(p))
	sum := 0.0
	for _, id := range ids {
		sum += p[id]
	}
	for _, id := range ids {
		out[id] = p[id] / sum
	}
	return out
}
