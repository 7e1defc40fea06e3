package sample

import (
	"math/rand/v2"
	"testing"
)

// The benchmarks use a llama-sized vocabulary (32,000) with logits spread
// like a trained model's, and time Draw against the plain reference (which
// sorts all tokens) on the same inputs; compare the two ns/op for the ratio.
func benchLogits() []float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	logits := make([]float64, 32000)
	for i := range logits {
		logits[i] = 3 * rng.NormFloat64()
	}
	return logits
}

var benchOptions = map[string]Options{
	"greedy":  {Temperature: 0, TopP: 1},
	"plain":   {Temperature: 1, TopP: 1},
	"topk40":  {Temperature: 0.8, TopK: 40, TopP: 1},
	"topp0.9": {Temperature: 0.8, TopP: 0.9},
}

func BenchmarkDraw(b *testing.B) {
	logits := benchLogits()
	for _, name := range []string{"greedy", "plain", "topk40", "topp0.9"} {
		o := benchOptions[name]
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(2, 2))
			for b.Loop() {
				Draw(logits, o, rng, 10)
			}
		})
		b.Run(name+"/reference", func(b *testing.B) {
			rng := rand.New(rand.NewPCG(2, 2))
			for b.Loop() {
				referenceDraw(logits, o, rng.Float64())
			}
		})
	}
}
