package transformer

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// TestGemm32Pieces: a product large enough to be cut equals one blas32 call
// for every transpose pair and worker count: to the bit when the pieces run
// on gonum's Sgemm (each element is summed the same way in a piece as in
// the whole), within rounding on OpenBLAS (whose kernels block a piece
// otherwise than the whole) or on gemmParallel32 (its own kernel). The cut
// depends only on the shape, so no result depends on the workers.
func TestGemm32Pieces(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(r.NormFloat64())
		}
		return s
	}
	const m, n, k = 150, 70, 64 // m·n·k above gemmSplitMin
	if m*n*k < gemmSplitMin {
		t.Fatalf("shape %dx%dx%d is below gemmSplitMin: the test would not cut", m, n, k)
	}
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			ar, ac := m, k
			if tA == blas.Trans {
				ar, ac = k, m
			}
			br, bc := k, n
			if tB == blas.Trans {
				br, bc = n, k
			}
			a, b, c0 := general32(fill(ar*ac), ar, ac, ac), general32(fill(br*bc), br, bc, bc), fill(m*n)
			want := append([]float32(nil), c0...)
			blas32.Gemm(tA, tB, 0.5, a, b, 1, general32(want, m, n, n))
			for _, w := range []int{1, 2, 3} {
				got := append([]float32(nil), c0...)
				gemm32(tA, tB, 0.5, a, b, 1, general32(got, m, n, n), w)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) && gemmParallel32 == nil && Backend != "openblas" {
						t.Fatalf("tA %c tB %c workers %d: c[%d] = %g, one call gives %g", tA, tB, w, i, got[i], want[i])
					}
					if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("tA %c tB %c workers %d: c[%d] = %g, blas32 gives %g", tA, tB, w, i, got[i], want[i])
					}
				}
			}
		}
	}
}
