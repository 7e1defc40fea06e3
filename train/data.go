package train

import (
	"fmt"
	"math/rand/v2"
)

// SplitTokens cuts a token stream into training and validation parts: the
// last valFrac of the tokens is validation. The model never trains on
// validation tokens, so its loss there measures generalisation, not memory.
// Each part must hold at least one window of context+1 tokens.
func SplitTokens(tokens []int, valFrac float64, context int) (trainPart, valPart []int, err error) {
	if valFrac <= 0 || valFrac >= 1 {
		return nil, nil, fmt.Errorf("--val-frac %g must be between 0 and 1 (exclusive)", valFrac)
	}
	nVal := int(float64(len(tokens)) * valFrac)
	nTrain := len(tokens) - nVal
	need := context + 1
	if nTrain < need || nVal < need {
		return nil, nil, fmt.Errorf("the text is too short: %d tokens split into %d training and %d validation tokens, but each part needs at least one window of context+1 = %d tokens; use a longer file or a smaller --context",
			len(tokens), nTrain, nVal, need)
	}
	return tokens[:nTrain], tokens[nTrain:], nil
}

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

// FixedWindows returns n window starts drawn once from seed: evaluating on
// the same windows every time makes successive validation losses comparable.
func FixedWindows(tokens []int, T, n int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x6576616c)) // "eval"
	starts := make([]int, n)
	for i := range starts {
		starts[i] = rng.IntN(len(tokens) - T)
	}
	return starts
}

// Window is one evaluation window of a token stream: the model reads
// tokens[Start:Start+Len] and is scored on tokens[Start+1:Start+Len+1].
type Window struct{ Start, Len int }

// TilingWindows covers every token of the stream but the first exactly once
// as a target: windows of T tokens side by side, the last one shorter.
func TilingWindows(n, T int) []Window {
	var ws []Window
	for s := 0; s < n-1; s += T {
		ws = append(ws, Window{Start: s, Len: min(T, n-1-s)})
	}
	return ws
}
