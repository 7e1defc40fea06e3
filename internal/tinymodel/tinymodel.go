// Package tinymodel builds the small random models that tests outside the
// transformer package run on.
package tinymodel

import (
	"testing"

	"github.com/tick-llm/tick/transformer"
)

// Sizes are a tiny model's sizes; a zero field keeps the preset's.
type Sizes struct {
	Vocab, Context, Layers, Heads, KVHeads, Dim, FFDim int
}

// New builds a model of the preset ("gpt" or "llama") at these sizes,
// initialised from seed, or fails the test.
func New(t testing.TB, preset string, s Sizes, seed uint64) *transformer.Model {
	t.Helper()
	cfg, err := transformer.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		dst *int
		v   int
	}{
		{&cfg.VocabSize, s.Vocab}, {&cfg.Context, s.Context}, {&cfg.Layers, s.Layers}, {&cfg.Heads, s.Heads},
		{&cfg.KVHeads, s.KVHeads}, {&cfg.Dim, s.Dim}, {&cfg.FFDim, s.FFDim},
	} {
		if f.v != 0 {
			*f.dst = f.v
		}
	}
	m, err := transformer.New(cfg, seed)
	if err != nil {
		t.Fatalf("tiny %s model %+v: %v", preset, s, err)
	}
	return m
}
