package train

import (
	"math"
	"math/rand/v2"

	"github.com/tick-llm/tick/transformer"
)

// sampleTemperature is the temperature of the sample text printed during
// training: below 1 sharpens the model's distribution, so the text shows
// what it finds likely without the loops greedy decoding falls into.
const sampleTemperature = 0.8

// sampleText continues prompt by n tokens drawn at sampleTemperature from a
// source seeded by seed, using the model's key/value cache. When the cache
// holds a full context it restarts from the last half context of tokens.
func sampleText(m *transformer.Model, prompt []int, n int, seed uint64) ([]int, error) {
	m.SetTraining(false, 0)
	rng := rand.New(rand.NewPCG(seed, 0x73616d70)) // "samp"
	T := m.Config.Context
	ids := append([]int(nil), prompt...)
	if len(ids) > T {
		ids = ids[len(ids)-T:]
	}
	c := m.NewCache()
	var logits []float64
	var err error
	push := func(from int) error {
		c.Reset()
		for _, id := range ids[from:] {
			if logits, err = c.Push(id); err != nil {
				return err
			}
		}
		return nil
	}
	if err := push(0); err != nil {
		return nil, err
	}
	out := make([]int, 0, n)
	for range n {
		id := sampleLogits(logits, sampleTemperature, rng)
		out = append(out, id)
		ids = append(ids, id)
		if c.Len() == T {
			if err := push(len(ids) - T/2); err != nil {
				return nil, err
			}
			continue
		}
		if logits, err = c.Push(id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sampleLogits draws an id from softmax(logits/temperature).
func sampleLogits(logits []float64, temperature float64, rng *rand.Rand) int {
	maxLogit := math.Inf(-1)
	for _, l := range logits {
		maxLogit = max(maxLogit, l)
	}
	probs := make([]float64, len(logits))
	sum := 0.0
	for i, l := range logits {
		probs[i] = math.Exp((l - maxLogit) / temperature)
		sum += probs[i]
	}
	u := rng.Float64() * sum
	for i, p := range probs {
		u -= p
		if u < 0 {
			return i
		}
	}
	return len(probs) - 1
}
