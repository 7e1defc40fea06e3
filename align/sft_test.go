package align

import (
	"github.com/tick-llm/tick/transformer"
	"math"
	"testing"
)

func tinyModel(t *testing.T, seed uint64) *transformer.Model {
	t.Helper()
	m, err := NewModel(Sizes{Layers: 1, Heads: 2, Dim: 16}, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Only reply tokens are scored, and SeqLogProbs is the sum of their log
// probabilities read off the model's softmax by hand.
func TestEncodeScoresRepliesOnly(t *testing.T) {
	ins := []Instruction{{"add", "add 2 3", "5"}, {"reverse", "reverse bird", "drib"}}
	b, err := EncodeText(ins, []string{"5", "sure, drib"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range b.B {
		n := 0
		for t2 := range b.T {
			if y := b.Y[i*b.T+t2]; y >= 0 {
				n++
				if t2 < len(PromptIDs(ins[i].Prompt))-1 {
					t.Errorf("row %d scores prompt position %d", i, t2)
				}
			}
		}
		if n != b.ReplyLen[i] {
			t.Errorf("row %d: %d scored positions, reply has %d tokens", i, n, b.ReplyLen[i])
		}
	}
	m := tinyModel(t, 1)
	lp, err := SeqLogProbs(m, b)
	if err != nil {
		t.Fatal(err)
	}
	probs := m.Probs()
	for i := range b.B {
		want := 0.0
		for t2 := range b.T {
			if y := b.Y[i*b.T+t2]; y >= 0 {
				want += math.Log(probs.At(i*b.T+t2, y))
			}
		}
		if math.Abs(lp[i]-want) > 1e-9 {
			t.Errorf("row %d: log p %g, by hand %g", i, lp[i], want)
		}
	}
}

// SFT through train's optimiser lowers the reply loss on the training set.
func TestSFTLearns(t *testing.T) {
	trainSet, _, err := Split(Instructions(), 60, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := tinyModel(t, 2)
	replies := make([]string, len(trainSet))
	for i, in := range trainSet {
		replies[i] = Demonstration(in, i%2 == 0)
	}
	b, _ := EncodeText(trainSet[:64], replies[:64])
	before, _ := m.Forward(b.X, b.Y, b.B, b.T)
	if err := SFT(m, trainSet, Plan{Steps: 150, Batch: 16, LR: 1e-2, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	after, _ := m.Forward(b.X, b.Y, b.B, b.T)
	if !(after < before/2) {
		t.Errorf("reply loss %.3f -> %.3f; want it halved", before, after)
	}
}
