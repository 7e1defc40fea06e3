package tinymodel

import (
	"testing"

	"github.com/tick-llm/tick/transformer"
)

func TestSizesAndPreset(t *testing.T) {
	m := New(t, "llama", Sizes{Vocab: 7, Context: 5, Layers: 1, Heads: 2, KVHeads: 1, Dim: 8}, 1)
	want, err := transformer.Preset("llama")
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config
	if c.VocabSize != 7 || c.Context != 5 || c.Layers != 1 || c.Heads != 2 || c.KVHeads != 1 || c.Dim != 8 {
		t.Errorf("config %+v does not have the sizes asked for", c)
	}
	if c.FFDim != want.FFDim || c.Norm != want.Norm || c.MLP != want.MLP {
		t.Errorf("config %+v: the fields left at zero should keep the llama preset's %+v", c, want)
	}
}
