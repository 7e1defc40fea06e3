package main

import (
	"github.com/tick-llm/tick/hf"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// loadForGeneration is loadModel for a command that only generates: a
// Hugging Face folder is read in float32 for inference (hf.OpenForInference,
// a quarter of the memory of the float64 model with gradients); a tick run
// keeps the model it was trained as.
func loadForGeneration(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	if hf.IsModelFolder(dir) {
		return hf.OpenForInference(dir, 0)
	}
	return loadModel(dir)
}
