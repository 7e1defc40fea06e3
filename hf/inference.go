package hf

import (
	"fmt"

	"github.com/tick-llm/tick/internal/memory"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// LoadForInference is LoadModel for generation: the weights are decoded
// straight from the file into float32 and kept there, in an inference-only
// model (transformer.NewInference: no gradients, no float64 copy), 4 bytes
// a parameter instead of LoadModel's 16 plus the float64 tensors it reads.
// Generate with it through a Cache; Forward on it is an error.
func LoadForInference(dir string, context int) (*transformer.Model, error) {
	cfg, err := ReadConfig(dir, context)
	if err != nil {
		return nil, err
	}
	need := 4*cfg.ParamCount() + memory.Cache(cfg)
	if err := memory.Check(need); err != nil {
		return nil, fmt.Errorf("%s: %.3g parameters: loading them in float32 %v; try a smaller model", dir, cfg.ParamCount(), err)
	}
	tensors, err := readWeightsWith(dir, readFile32)
	if err != nil {
		return nil, err
	}
	m, err := transformer.NewInference(cfg)
	if err != nil {
		return nil, err
	}
	err = fillWith(m, tensors, dir,
		func(t safetensors.Tensor32) (string, []int) { return t.Name, t.Shape },
		func(p *transformer.Param, t safetensors.Tensor32) error { return p.Load32(t.Data) })
	if err != nil {
		return nil, err
	}
	return m, nil
}

// OpenForInference is Open with LoadForInference: a Hugging Face folder's
// model, in float32 for generation, and its tokenizer.
func OpenForInference(dir string, context int) (*transformer.Model, tokenizer.Tokenizer, error) {
	m, err := LoadForInference(dir, context)
	if err != nil {
		return nil, nil, err
	}
	return withTokenizer(m, dir)
}

// readFile32 is readFile in float32.
func readFile32(path string, want []string) (map[string]safetensors.Tensor32, error) {
	list, _, err := safetensors.ReadFloat32(path)
	return byName(path, list, err, func(t safetensors.Tensor32) string { return t.Name }, want)
}
