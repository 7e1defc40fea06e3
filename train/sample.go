package train

import (
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// sampleOptions pick the sample text printed during training: temperature
// 0.8 sharpens the model's distribution, so the text shows what it finds
// likely without the loops greedy decoding falls into; no top-k/top-p cuts.
var sampleOptions = sample.Options{Temperature: 0.8, TopK: 0, TopP: 1}

// sampleText continues prompt by n tokens drawn with sampleOptions from a
// source seeded by seed. generate.Generator does the work: it reads the
// model through its key/value cache and slides the window when the context
// is full. A model training in float32 samples in float32 too, through the
// float32 cache (weights rounded once per sample), several times faster.
func sampleText(m *transformer.Model, prompt []int, n int, seed uint64) ([]int, error) {
	m.SetTraining(false, 0)
	if m.Compute() == transformer.Float32 {
		return generate.ContinueWithCache(m.NewCacheFloat32(), m.Config.Context, prompt, n, sampleOptions, seed)
	}
	return generate.Continue(m, prompt, n, sampleOptions, seed)
}
