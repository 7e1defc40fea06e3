package normf32

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAddRows: AddRows gives the plain loop's bits (every column summed in
// row order in float64) for every width 1..40 and 1..9 rows, rows packed
// or 5 values apart wider, values of mixed magnitudes, into a db that
// already holds values.
func TestAddRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for d := 1; d <= 40; d++ {
		for n := 1; n <= 9; n++ {
			for _, ld := range []int{d, d + 5} {
				dy := make([]float32, (n-1)*ld+d)
				for i := range dy {
					dy[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
				}
				want, got := make([]float64, d), make([]float64, d)
				for j := range want {
					want[j] = rng.NormFloat64()
					got[j] = want[j]
				}
				for i := range n { // the reference: row after row
					for j := range d {
						want[j] += float64(dy[i*ld+j])
					}
				}
				AddRows(got, dy, n, ld)
				for j := range want {
					if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
						t.Fatalf("d %d, n %d, ld %d: column %d = %v, want %v", d, n, ld, j, got[j], want[j])
					}
				}
			}
		}
	}
}
