package hf

import (
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// TestInferenceMatchesHuggingFace: the inference path (float32 weights read
// straight from the file, one token at a time through the cache) gives the
// logits of testdata/hf_reference.py's PyTorch transcription of Hugging
// Face's models to float32 rounding, and the model holds no gradient.
func TestInferenceMatchesHuggingFace(t *testing.T) {
	for _, name := range []string{"gpt2-tiny", "llama-tiny"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			want := readExpected(t, dir)
			m, err := LoadForInference(dir, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range m.Params() {
				if p.Grad != nil {
					t.Fatalf("%s has a gradient", p.Name)
				}
			}
			c := m.NewCache()
			worst := 0.0
			for i, id := range want.IDs {
				got, err := c.Push(id)
				if err != nil {
					t.Fatal(err)
				}
				for j, w := range want.Logits[i] {
					worst = max(worst, math.Abs(got[j]-w))
				}
			}
			// float32 weights and products: about 1e-7 relative per
			// operation, logits of size ~4 over a few layers.
			t.Logf("largest difference from Hugging Face: %.2g", worst)
			if worst > 2e-5 {
				t.Errorf("logits differ from Hugging Face's by up to %g", worst)
			}
			if _, err := m.Forward(want.IDs, nil, 1, len(want.IDs)); !errors.Is(err, transformer.ErrInferenceOnly) {
				t.Errorf("Forward on an inference-only model: error %v, want ErrInferenceOnly", err)
			}
		})
	}
}

// TestInferenceStepsMatchFloat64: tick generate --step on the float32
// inference model shows the candidates and probabilities of the float64
// model within 1e-5 at every step, through a full context and the window
// sliding after it. Both take the float64 model's token at each step, so
// their contexts stay the same.
func TestInferenceStepsMatchFloat64(t *testing.T) {
	for _, name := range []string{"gpt2-tiny", "llama-tiny"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			m64, err := LoadModel(dir, 0)
			if err != nil {
				t.Fatal(err)
			}
			m32, err := LoadForInference(dir, 0)
			if err != nil {
				t.Fatal(err)
			}
			opts := generate.Options{Sample: sample.Options{Temperature: 0.8, TopK: 20, TopP: 0.95}, Seed: 5, Top: 5}
			prompt := []int{1, 2, 3}
			g64, err := generate.New(m64, prompt, opts)
			if err != nil {
				t.Fatal(err)
			}
			g32, err := generate.New(m32, prompt, opts)
			if err != nil {
				t.Fatal(err)
			}
			for step := range m64.Config.Context + 5 {
				want, err := g64.Propose()
				if err != nil {
					t.Fatal(err)
				}
				got, err := g32.Propose()
				if err != nil {
					t.Fatal(err)
				}
				if got.Window != want.Window || len(got.Candidates) != len(want.Candidates) {
					t.Fatalf("step %d: window %d, %d candidates; float64: %d, %d", step, got.Window, len(got.Candidates), want.Window, len(want.Candidates))
				}
				if d := math.Abs(got.EntropyBits - want.EntropyBits); d > 1e-5 {
					t.Fatalf("step %d: entropy %g bits, float64 %g", step, got.EntropyBits, want.EntropyBits)
				}
				for i, w := range want.Candidates {
					g := got.Candidates[i]
					if g.ID != w.ID || math.Abs(g.Prob-w.Prob) > 1e-5 || math.Abs(g.Final-w.Final) > 1e-5 {
						t.Fatalf("step %d candidate %d: id %d p %g (final %g); float64: id %d p %g (final %g)", step, i, g.ID, g.Prob, g.Final, w.ID, w.Prob, w.Final)
					}
				}
				for _, g := range []*generate.Generator{g64, g32} {
					if err := g.Accept(want.Chosen.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}
