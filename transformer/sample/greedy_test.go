package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGreedyMatchesDraw: Greedy picks the token Draw picks at Temperature
// 0, through its probabilities and ranking, on random logits with many
// exact ties (randomLogits repeats values), on all-equal logits, and with
// the maximum tied at the first and the last ID.
func TestGreedyMatchesDraw(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	cases := [][]float64{
		{2, 2, 2, 2},
		{0, 7, 1, 7},
		{7, 0, 7},
		{-1, -3, 5, 5},
		{math.MaxFloat64, math.MaxFloat64, -math.MaxFloat64},
		{-math.MaxFloat64, -math.MaxFloat64},
	}
	for range 2000 {
		cases = append(cases, randomLogits(rng, 1+rng.IntN(300)))
	}
	for _, logits := range cases {
		got, err := Greedy(logits)
		if err != nil {
			t.Fatalf("Greedy(%v): %v", logits, err)
		}
		want := draw(t, logits, Options{TopP: 1}, nil, 1).Chosen.ID
		if got != want {
			t.Fatalf("Greedy = %d, Draw at temperature 0 = %d on %v", got, want, logits)
		}
	}
}

// TestGreedyErrors: the bad logits Check refuses, Greedy refuses with the
// same message.
func TestGreedyErrors(t *testing.T) {
	for _, logits := range [][]float64{
		nil,
		{1, math.NaN(), 2},
		{math.NaN()},
		{math.Inf(1)},
		{0, math.Inf(-1)},
		{3, 2, 1, math.Inf(1)},
	} {
		_, err := Greedy(logits)
		want := Check(logits, Options{TopP: 1}, nil)
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("Greedy(%v) = %v, want Check's %v", logits, err, want)
		}
	}
}
