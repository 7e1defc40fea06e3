package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/tick-llm/tick/data"
)

// Batcher draws batches of random windows from a token stream. Its random
// source is a PCG whose state can be saved, so a resumed run draws exactly
// the batches an uninterrupted one would.
type Batcher struct {
	tokens []int
	B, T   int
	src    *rand.PCG
	rng    *rand.Rand
}

// NewBatcher returns a batcher of B windows of T tokens, seeded by seed.
func NewBatcher(tokens []int, B, T int, seed uint64) *Batcher {
	src := rand.NewPCG(seed, 0x7469636b) // second word: "tick", any constant works
	return &Batcher{tokens: tokens, B: B, T: T, src: src, rng: rand.New(src)}
}

// Next returns the inputs x and targets y of B random windows, both B*T
// row-major: y is x shifted left by one token, so position t of window b is
// asked to predict the token that follows it.
func (bt *Batcher) Next() (x, y []int) {
	x = make([]int, bt.B*bt.T)
	y = make([]int, bt.B*bt.T)
	for b := range bt.B {
		// A window needs T+1 tokens: starts 0 .. len-T-1.
		s := bt.rng.IntN(len(bt.tokens) - bt.T)
		copy(x[b*bt.T:], bt.tokens[s:s+bt.T])
		copy(y[b*bt.T:], bt.tokens[s+1:s+bt.T+1])
	}
	return x, y
}

// State returns the random source's state, to save in a checkpoint.
func (bt *Batcher) State() ([]byte, error) { return bt.src.MarshalBinary() }

// SetState restores a state from State.
func (bt *Batcher) SetState(state []byte) error {
	if err := bt.src.UnmarshalBinary(state); err != nil {
		return fmt.Errorf("batch random state: %w", err)
	}
	return nil
}

// FixedWindows returns n windows of T tokens drawn once from seed:
// evaluating on the same windows every time makes successive validation
// losses comparable.
func FixedWindows(tokens []int, T, n int, seed uint64) []data.Window {
	rng := rand.New(rand.NewPCG(seed, 0x6576616c)) // "eval"
	ws := make([]data.Window, n)
	for i := range ws {
		ws[i] = data.Window{Start: rng.IntN(len(tokens) - T), Len: T}
	}
	return ws
}
