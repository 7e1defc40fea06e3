package generate

import (
	"testing"

	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/sample"
)

// benchModel is the nanoGPT CPU recipe's size (4 layers, 4 heads, width
// 128, context 64) over a 65-character vocabulary.
func benchModel(b *testing.B) *transformer.Model {
	cfg, err := transformer.Preset("gpt")
	if err != nil {
		b.Fatal(err)
	}
	cfg.VocabSize = 65
	m, err := transformer.New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkGenerateCache generates a full context of tokens with the KV
// cache, greedily: one token's work per step.
func BenchmarkGenerateCache(b *testing.B) {
	benchGreedy(b, benchModel(b), 0, false)
}

// benchGreedy generates greedily from the token first to the end of m's
// context through the Generator (Propose and Accept: the candidates and the
// entropy of every step included unless choiceOnly) and reports tokens/s.
func benchGreedy(b *testing.B, m *transformer.Model, first int, choiceOnly bool) {
	n := m.Config.Context - 1
	for b.Loop() {
		g, err := New(m, []int{first}, Options{Sample: sample.Options{Temperature: 0, TopP: 1}, ChoiceOnly: choiceOnly})
		if err != nil {
			b.Fatal(err)
		}
		for range n {
			s, err := g.Propose()
			if err != nil {
				b.Fatal(err)
			}
			if err := g.Accept(s.Chosen.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkGenerateForward is the reference without a cache: each step runs
// Forward over the whole prefix, as a model with no KV cache must.
func BenchmarkGenerateForward(b *testing.B) {
	m := benchModel(b)
	n := m.Config.Context - 1
	for b.Loop() {
		ids := []int{0}
		for range n {
			if _, err := m.Forward(ids, nil, 1, len(ids)); err != nil {
				b.Fatal(err)
			}
			s, err := sample.Draw(m.Logits().RawRowView(len(ids)-1), sample.Options{Temperature: 0, TopP: 1}, nil, 1)
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, s.Chosen.ID)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkGenerateStories15M is tick bench generate's tick side: greedy
// steps through the Generator (Propose and Accept, ChoiceOnly as tick
// generate without --step) on llama2.c's stories15M shape, on the float32
// path tick generate takes; .../step is the same with every step's
// probabilities, as --step computes them.
func BenchmarkGenerateStories15M(b *testing.B) {
	cfg, err := transformer.Preset("llama")
	if err != nil {
		b.Fatal(err)
	}
	cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim, cfg.VocabSize, cfg.Context = 6, 6, 6, 288, 768, 32000, 256
	m, err := transformer.New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	m.Float32Snapshot()
	b.Run("text", func(b *testing.B) { benchGreedy(b, m, 1, true) })
	b.Run("step", func(b *testing.B) { benchGreedy(b, m, 1, false) })
}
