package main

import (
	"github.com/tick-llm/tick/hf"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// loadForGeneration is loadModel for a command that only generates, on
// the float32 path: a Hugging Face folder is read in float32 for inference
// (hf.OpenForInference, a quarter of the memory of the float64 model with
// gradients); a tick run is loaded as trained and its matrices are
// converted to float32 once, here (Model.Float32Snapshot), for every cache
// generation makes.
func loadForGeneration(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	if hf.IsModelFolder(dir) {
		return hf.OpenForInference(dir, 0)
	}
	m, tok, err := loadModel(dir)
	if err != nil {
		return nil, nil, err
	}
	m.Float32Snapshot()
	return m, tok, nil
}
