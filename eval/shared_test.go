package eval

import (
	"context"
	"math"
	"runtime"
	"testing"

	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/internal/tinymodel"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// TestWindowsShared: a text scored with its batches shared among 1, 2 or 3
// replicas (batches of 4 windows, the last of 3, the very last shorter)
// counts the same tokens and bytes and the same loss as one model (to
// rounding), and gives the same bits on 1 and 3 cores.
func TestWindowsShared(t *testing.T) {
	text := "Licht, Farbe: ça — où? Νεύτων! 光 ab; the rays of light are not coloured, only disposed to stir up a sensation"
	tok, err := tokenizer.NewChar(text)
	if err != nil {
		t.Fatal(err)
	}
	m := tinymodel.New(t, "gpt", tinymodel.Sizes{Vocab: tok.VocabSize(), Context: 8, Layers: 1, Heads: 2, KVHeads: 2, Dim: 8, FFDim: 32}, 3)
	ids, _ := tok.Encode(text)
	windows := data.Tiling(len(ids), 8)
	want, err := Windows(m, tok, ids, windows, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 2, 3} {
		models := []*transformer.Model{}
		for range k {
			r, err := m.Replica()
			if err != nil {
				t.Fatal(err)
			}
			models = append(models, r)
		}
		var bits []uint64
		for _, procs := range []int{1, 3} {
			prev := runtime.GOMAXPROCS(procs)
			got, err := WindowsShared(context.Background(), models, tok, ids, windows, 4)
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatal(err)
			}
			if got.Tokens != want.Tokens || got.Bytes != want.Bytes || math.Abs(got.Nats-want.Nats) > 1e-12*want.Nats {
				t.Errorf("%d replicas, %d cores: %+v, one model %+v", k, procs, got, want)
			}
			bits = append(bits, math.Float64bits(got.Nats))
		}
		if bits[0] != bits[1] {
			t.Errorf("%d replicas: other bits on 1 core and on 3", k)
		}
	}
}
