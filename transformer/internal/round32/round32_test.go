package round32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestRoundMatchesGo: Round gives the bits of Go's float32 conversion on
// every length from 0 to 40, on values that round up, down and to even,
// and on zeros, subnormals, values that overflow to ±Inf, infinities and
// NaNs.
func TestRoundMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	special := []float64{0, math.Copysign(0, -1), 1e-40, -1e-45, 1e-300, 3.5e38, -1e39, math.Inf(1), math.Inf(-1), math.NaN(),
		1 + 0x1p-24, 1 + 0x3p-24, 1 + 0x1p-24 + 0x1p-50, math.MaxFloat32, -math.SmallestNonzeroFloat32 / 2}
	for n := 0; n <= 40; n++ {
		src := make([]float64, n)
		for i := range src {
			if rng.IntN(3) == 0 {
				src[i] = special[rng.IntN(len(special))]
			} else {
				src[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4))
			}
		}
		got, want := make([]float32, n), make([]float32, n)
		Round(got, src)
		RoundGo(want, src)
		for i := range src {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n %d: Round(%v) = %v (%#x), want %v (%#x)", n, src[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
			}
		}
	}
}

func TestRoundLengths(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || fmt.Sprint(r) != "round32: lengths differ" {
			t.Fatalf("Round with lengths 3 and 4: panic %v, want \"round32: lengths differ\"", r)
		}
	}()
	Round(make([]float32, 3), make([]float64, 4))
}

// BenchmarkRound times Round and RoundGo on the parameters of the nanoGPT
// recipe's model (about 0.8 million values).
func BenchmarkRound(b *testing.B) {
	src := make([]float64, 800_000)
	for i := range src {
		src[i] = float64(i) * 1e-6
	}
	dst := make([]float32, len(src))
	for _, f := range []struct {
		name string
		fn   func([]float32, []float64)
	}{{"Round", Round}, {"RoundGo", RoundGo}} {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(src) * 12))
			for b.Loop() {
				f.fn(dst, src)
			}
		})
	}
}
