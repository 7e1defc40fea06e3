package transformer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttentionPlainMatchesFast: the BLAS attention (attentionForward,
// attentionBackward) computes what the plain loops of llm.c compute: the
// same weights, outputs and input gradients to 1e-12, for multi-head,
// grouped-query and multi-query shapes, one position, odd sizes, and with
// more goroutines than units.
func TestAttentionPlainMatchesFast(t *testing.T) {
	for _, s := range []attnShape{
		{B: 1, T: 1, H: 1, KVH: 1, hs: 1}, // the smallest
		{B: 3, T: 1, H: 4, KVH: 2, hs: 3}, // one position: every query sees only itself
		{B: 2, T: 5, H: 2, KVH: 2, hs: 3}, // multi-head
		{B: 2, T: 4, H: 4, KVH: 2, hs: 2}, // grouped-query
		{B: 1, T: 7, H: 3, KVH: 1, hs: 5}, // multi-query
		{B: 3, T: 13, H: 6, KVH: 3, hs: 7},
		{B: 1, T: 33, H: 9, KVH: 3, hs: 11},
	} {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("B%d_T%d_H%d_KV%d_hs%d_w%d", s.B, s.T, s.H, s.KVH, s.hs, workers), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(s.T), uint64(s.H)))
				n, W, D := s.B*s.T, s.qkvWidth(), s.H*s.hs
				qkv := randSlice(rng, n*W, 1)
				dy := randSlice(rng, n*D, 1)
				dqkv0 := randSlice(rng, n*W, 1) // both add into what is there

				att, y := randSlice(rng, s.B*s.H*s.T*s.T, 1), randSlice(rng, n*D, 1) // stale contents must be overwritten
				attentionForward(att, y, qkv, s, workers)
				dqkv := append([]float64(nil), dqkv0...)
				scratch := make([][]float64, workers)
				for i := range scratch {
					scratch[i] = make([]float64, s.T*s.T)
				}
				attentionBackward(dqkv, dy, att, qkv, scratch, s, workers)

				attP, yP := randSlice(rng, len(att), 1), randSlice(rng, len(y), 1)
				attentionForwardPlain(attP, yP, qkv, s)
				dqkvP := append([]float64(nil), dqkv0...)
				attentionBackwardPlain(dqkvP, dy, attP, qkv, s)

				agree(t, "attention weights", att, attP, 1e-12)
				agree(t, "output y", y, yP, 1e-12)
				agree(t, "dqkv", dqkv, dqkvP, 1e-12)
			})
		}
	}
}

// agree fails when got and want differ by more than tol relative to
// max(1, |want|) in some entry.
func agree(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s[%d]: %.17g, want %.17g (difference %.3g > %g)", what, i, got[i], want[i], d, tol)
		}
	}
}
