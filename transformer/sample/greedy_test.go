package sample

import (
	"math"
	"math/rand/v2"
	"slices"
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

// TestSoftmaxAnyWorkers: softmax cut into chunks gives the same bits on 1,
// 2, 3 and 7 goroutines, and agrees with a plain one-pass softmax (math.Exp,
// one running sum) to 1e-12, on vocabularies around the chunk size and
// llama's 32,000, at several temperatures.
func TestSoftmaxAnyWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, V := range []int{1, 5, softmaxChunk - 1, softmaxChunk, softmaxChunk + 1, 3*softmaxChunk + 17, 32000} {
		for _, temp := range []float64{0.3, 1, 2.5} {
			logits := randomLogits(rng, V)
			want, wantH := softmaxOn(logits, temp, 1)
			for _, w := range []int{2, 3, 7} {
				got, h := softmaxOn(logits, temp, w)
				if !slices.Equal(got, want) || h != wantH {
					t.Fatalf("V %d, temperature %g: %d goroutines give other bits than 1", V, temp, w)
				}
			}
			hi := slices.Max(logits)
			plain := make([]float64, V)
			var total float64
			for i, l := range logits {
				plain[i] = math.Exp((l - hi) / temp)
				total += plain[i]
			}
			var h float64
			for i := range plain {
				plain[i] /= total
				if plain[i] > 0 {
					h -= plain[i] * math.Log2(plain[i])
				}
			}
			for i := range plain {
				if math.Abs(plain[i]-want[i]) > 1e-12 {
					t.Fatalf("V %d, temperature %g: p[%d] = %v, plain softmax %v", V, temp, i, want[i], plain[i])
				}
			}
			if math.Abs(h-wantH) > 1e-9 {
				t.Fatalf("V %d, temperature %g: entropy %v bits, plain %v", V, temp, wantH, h)
			}
		}
	}
}
