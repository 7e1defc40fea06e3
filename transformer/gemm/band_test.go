package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// TestBandSameBits: a banded product equals the full product, to the bit,
// on every kernel (packed and read in place), both types, every pair of
// transposes, across panels of p (k > kc) and blocks of rows (m > mc).
// The entries of op(A) outside a LowerA or UpperA band are zero, and
// those outside the band of the whole tile of rows they fall in hold NaN
// in the banded call, so a band that summed over them would fail; LowerC's tiles wholly above the diagonal must stay beta·C.
func TestBandSameBits(t *testing.T) {
	bothTypes(t, testBandSameBits[float64], testBandSameBits[float32])
}

func testBandSameBits[T float](t *testing.T, f typed[T]) {
	rng := rand.New(rand.NewPCG(21, 22))
	shapes := [][3]int{
		{64, 64, 32}, {64, 32, 64}, // attention of one head: scores, then weights·values
		{37, 19, 41}, {6, 16, 6}, {1, 1, 1}, // edges of every tile size
		{150, 40, 300}, {301, 24, 520}, // more than one block of rows and panel of p
		{20, 33, 90}, {90, 17, 20}, // wider and taller than square
	}
	for _, kern := range kernels(t, f) {
		variants := []kernel[T]{kern}
		if kern.direct != nil {
			packed := kern
			packed.direct = nil
			variants = append(variants, packed)
		}
		for _, kv := range variants {
			for _, s := range shapes {
				for _, tA := range transposes {
					for _, tB := range transposes {
						for _, band := range []Band{LowerC, LowerA, UpperA} {
							name := fmt.Sprintf("%s direct=%v %v %dx%dx%d %c%c", kv.name, kv.direct != nil, band, s[0], s[1], s[2], tA, tB)
							checkBand(t, name, kv, band, newProblem[T](rng, tA, tB, s[0], s[1], s[2], 1, 0.5, 1.5))
						}
					}
				}
			}
		}
	}
}

// checkBand runs p banded and in full on the kernel kern and compares them.
func checkBand[T float](t *testing.T, name string, kern kernel[T], band Band, p problem[T]) {
	t.Helper()
	full := p
	if band == LowerA || band == UpperA {
		full.a = append([]T(nil), p.a...)
		p.a = append([]T(nil), p.a...)
		for i := 0; i < p.m; i++ {
			for q := 0; q < p.k; q++ {
				at := i*p.lda + q // op(A)[i,q]
				if p.tA == blas.Trans {
					at = q*p.lda + i
				}
				switch {
				case band == LowerA && q > i+kern.mr-1, band == UpperA && q < i-kern.mr+1:
					full.a[at], p.a[at] = 0, T(math.NaN()) // outside the tile of rows i is in: never read
				case band == LowerA && q > i, band == UpperA && q < i:
					full.a[at], p.a[at] = 0, 0 // summed by the tile of rows, as zero
				}
			}
		}
	}
	want := full.run(withKernel(kern))
	got := p.run(withBand(kern, band))
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.n; j++ {
			at := i*p.ldc + j
			w, kept := want[at], p.beta*p.c[at]
			if p.beta == 0 {
				kept = 0 // BLAS: beta 0 writes zeros, whatever C held
			}
			switch {
			case band != LowerC || j <= i:
				if bits(got[at]) != bits(w) {
					t.Fatalf("%s: C[%d,%d] = %v, want %v (the same bits)", name, i, j, got[at], w)
				}
			case j > i+kern.mr+kern.nr-2: // its whole tile is above the diagonal
				if bits(got[at]) != bits(kept) {
					t.Fatalf("%s: C[%d,%d] = %v above the diagonal, want beta·C = %v (skipped)", name, i, j, got[at], kept)
				}
			case bits(got[at]) != bits(w) && bits(got[at]) != bits(kept):
				t.Fatalf("%s: C[%d,%d] = %v above the diagonal, want %v or beta·C = %v", name, i, j, got[at], w, kept)
			}
		}
	}
}

// withBand is the driver with the kernel kern and the band band on one goroutine.
func withBand[T float](kern kernel[T], band Band) gemmFunc[T] {
	return func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
		gemm(kern, 1, band, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// TestBandEntryPoints: DgemmBand and SgemmBand check their arguments like
// Dgemm and run the band on this CPU's best kernel.
func TestBandEntryPoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	p64 := newProblem[float64](rng, blas.NoTrans, blas.Trans, 64, 64, 32, 0, 1, 0)
	checkBand(t, "DgemmBand", best64, LowerC, p64)
	got := p64.run(func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
		DgemmBand(LowerC, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	})
	sameBits(t, "DgemmBand", p64.run(withBand(best64, LowerC)), got)
	p32 := newProblem[float32](rng, blas.NoTrans, blas.NoTrans, 64, 32, 64, 0, 1, 1)
	got32 := p32.run(func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		SgemmBand(UpperA, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	})
	sameBits(t, "SgemmBand", p32.run(withBand(best32, UpperA)), got32)
	defer func() {
		if recover() == nil {
			t.Fatal("SgemmBand with a short C did not panic")
		}
	}()
	SgemmBand(LowerA, blas.NoTrans, blas.NoTrans, 4, 4, 4, 1, make([]float32, 16), 4, make([]float32, 16), 4, 0, make([]float32, 15), 4)
}

// BenchmarkSgemmBand times each product of one attention head (T 64, head
// size 32) banded and in full, in the same run.
func BenchmarkSgemmBand(b *testing.B) {
	for _, s := range []struct {
		band    Band
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{LowerC, blas.NoTrans, blas.Trans, 64, 64, 32},   // scores q·kᵀ, dP = dY·vᵀ
		{LowerA, blas.NoTrans, blas.NoTrans, 64, 32, 64}, // P·v, dS·k
		{UpperA, blas.Trans, blas.NoTrans, 64, 32, 64},   // Pᵀ·dY, dSᵀ·q
	} {
		p := newProblem[float32](rand.New(rand.NewPCG(1, 2)), s.tA, s.tB, s.m, s.n, s.k, 0, 1, 1)
		for _, band := range []Band{Full, s.band} {
			b.Run(fmt.Sprintf("%dx%dx%d_%c%c/%v", s.m, s.n, s.k, s.tA, s.tB, band), func(b *testing.B) {
				c := append([]float32(nil), p.c...)
				timeGemm(b, p.m, p.n, p.k, func() {
					SgemmBand(band, p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
				})
			})
		}
	}
}
