package eval

import (
	"math"
	"testing"
	"unicode/utf8"

	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/internal/tinymodel"
	"github.com/tick-llm/tick/tokenizer"
)

// TestBitsPerByteByHand scores a short text with multi-byte characters in
// windows (the last one shorter) and checks loss, perplexity and bits per
// byte against a hand computation: a log-softmax of each position's logits
// from separate single-window forward passes, and the byte count of the
// text the predicted characters spell.
func TestBitsPerByteByHand(t *testing.T) {
	text := "Licht, Farbe: ça — où? Νεύτων! 光 ab"
	tok, err := tokenizer.NewChar(text)
	if err != nil {
		t.Fatal(err)
	}
	m := tinymodel.New(t, "gpt", tinymodel.Sizes{Vocab: tok.VocabSize(), Context: 8, Layers: 1, Heads: 2, KVHeads: 2, Dim: 8, FFDim: 32}, 3)
	ids, _ := tok.Encode(text)
	const T = 8
	got, err := Windows(m, tok, ids, data.Tiling(len(ids), T), 3)
	if err != nil {
		t.Fatal(err)
	}

	nats := 0.0
	for s := 0; s < len(ids)-1; s += T {
		n := min(T, len(ids)-1-s)
		if _, err := m.Forward(ids[s:s+n], nil, 1, n); err != nil {
			t.Fatal(err)
		}
		logits := m.Logits()
		for i := range n {
			row := logits.RawRowView(i)
			maxl := math.Inf(-1)
			for _, l := range row {
				maxl = math.Max(maxl, l)
			}
			z := 0.0
			for _, l := range row {
				z += math.Exp(l - maxl)
			}
			target := ids[s+i+1]
			nats += -(row[target] - maxl - math.Log(z))
		}
	}
	// Bytes: everything but the first character, which nothing predicts.
	_, first := utf8.DecodeRuneInString(text)
	bytes := len(text) - first
	tokens := utf8.RuneCountInString(text) - 1

	if got.Tokens != tokens || got.Bytes != bytes {
		t.Errorf("scored %d tokens, %d bytes; want %d, %d", got.Tokens, got.Bytes, tokens, bytes)
	}
	if math.Abs(got.Nats-nats) > 1e-9*nats {
		t.Errorf("total nats %.12g, by hand %.12g", got.Nats, nats)
	}
	wantBPB := nats / math.Ln2 / float64(bytes)
	if math.Abs(got.BitsPerByte()-wantBPB) > 1e-9 {
		t.Errorf("bits per byte %.12g, by hand %.12g", got.BitsPerByte(), wantBPB)
	}
	if math.Abs(got.Perplexity()-math.Exp(nats/float64(tokens))) > 1e-9 {
		t.Errorf("perplexity %.12g, by hand %.12g", got.Perplexity(), math.Exp(nats/float64(tokens)))
	}
}
