package main

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
)

// TestGenerateFloat32MatchesFloat64 trains a small Llama run (RMSNorm, RoPE,
// SwiGLU, grouped-query attention) and checks that the probabilities tick
// generate --step prints, which come from the float32 path, are within 1e-5
// of the float64 model's at every step, past the point where the window
// slides: the reference is the saved run loaded as trained, without a
// float32 snapshot, run through the float64 KV cache on the same window.
// generate32Tol is how far a probability tick generate prints (the float32
// path) may be from the float64 model's: float32 products carry about seven
// significant digits, and probabilities are printed to four.
const generate32Tol = 1e-5

func TestGenerateFloat32MatchesFloat64(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "llama")
	r := tick(t, dir, "", "train", "--preset", "llama", "--out", run, "--layers", "2", "--heads", "4", "--kv-heads", "2",
		"--dim", "32", "--context", "16", "--batch", "4", "--steps", "150", "--sample-tokens", "0", "--seed", "3")
	mustSucceed(t, r)

	j := tick(t, dir, "", "generate", "--model", run, "--prompt", "The light", "--max-tokens", "30", "--temperature", "1",
		"--step", "--format", "json", "--candidates", "20")
	mustSucceed(t, j)
	steps := parseSteps(t, j)
	if len(steps) != 30 {
		t.Fatalf("%d steps for --max-tokens 30", len(steps))
	}
	m, _, err := checkpoint.LoadModel(run)
	if err != nil {
		t.Fatal(err)
	}
	if m.NewCache().Len() != 0 || m.InferenceOnly() {
		t.Fatal("the reference model is not a fresh float64 one")
	}
	slid := false
	for _, s := range steps {
		slid = slid || s.Window < len(s.ContextIDs)
		c := m.NewCache() // float64: no snapshot was taken of this model
		logits, err := c.Prefill(s.ContextIDs[len(s.ContextIDs)-s.Window:])
		if err != nil {
			t.Fatal(err)
		}
		probs := softmax(logits)
		entropy := 0.0
		for _, p := range probs {
			if p > 0 {
				entropy -= p * math.Log2(p)
			}
		}
		for k, c := range s.Candidates {
			if d := math.Abs(c.Prob - probs[c.ID]); d > generate32Tol {
				t.Errorf("step %d candidate %d (id %d): prob %.9f, float64 model %.9f (difference %.2g > %g)", s.Step, k, c.ID, c.Prob, probs[c.ID], d, generate32Tol)
			}
		}
		if d := math.Abs(s.EntropyBits - entropy); d > 10*generate32Tol {
			t.Errorf("step %d: entropy %.7f bits, float64 model %.7f", s.Step, s.EntropyBits, entropy)
		}
	}
	if !slid {
		t.Error("the window never slid: generate more tokens than the context of 16")
	}

	// The trace says which path it runs, truthfully.
	txt := tick(t, dir, "", "generate", "--model", run, "--prompt", "The", "--max-tokens", "1", "--step")
	mustSucceed(t, txt)
	if !strings.Contains(txt.stdout, "compute: float32 weights, KV cache and matrix products") {
		t.Errorf("the --step header does not say generation runs in float32:\n%s", txt.stdout)
	}
}
