package gemm

import (
	"sync"

	"gonum.org/v1/gonum/blas"
)

// Block sizes, BLIS's choice for double precision on AVX2 cores: a kc×nr
// sliver of packed B stays in L1 while the kernel streams through it, an
// mc×kc block of packed A stays in L2, a kc×nc panel of packed B in L3.
// mc is a multiple of every kernel's mr and nc of every kernel's nr, so only
// the last tile of a row or column of tiles is partial.
const (
	kc = 256
	mc = 72
	nc = 2048
)

// A kernel multiplies one packed mr×k panel of A by one packed k×nr panel
// of B into an mr×nr tile of C held in registers:
//
//	C[i,j] += alpha · Σ_p a[p·mr+i] · b[p·nr+j]   (C row-major, stride ldc)
type kernel struct {
	name   string
	mr, nr int
	fn     func(k int, a, b, c []float64, ldc int, alpha float64)
}

// best is the fastest kernel this CPU runs (chosen in init).
var best = goKernel

// Name names the micro-kernel Dgemm runs on this CPU: "go-avx2" (Go
// assembly with AVX2 and FMA) or "go" (portable Go).
func Name() string { return best.name }

// Dgemm computes C = alpha·op(A)·op(B) + beta·C like Reference, fast: same
// arguments, same meaning, results equal to Reference's up to rounding
// (the sums are added in another order). It panics, as BLAS routines do,
// on arguments that do not describe matrices (see Check for the message).
func Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if err := Check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	dgemm(best, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// buffers holds one call's packed panels and the scratch tile for the
// partial tiles at the edges; pooled so steady-state calls do not allocate.
type buffers struct {
	a, b, tile []float64
}

var pool = sync.Pool{New: func() any { return new(buffers) }}

// grow returns s with length n, reusing its storage when it is big enough.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// dgemm is Dgemm on checked arguments with the kernel kern: C is first
// scaled by beta, then each kc-deep slice of the product is added to it.
func dgemm(kern kernel, tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	scale(m, n, beta, c, ldc)
	if alpha == 0 || k == 0 {
		return
	}
	mr, nr := kern.mr, kern.nr
	buf := pool.Get().(*buffers)
	defer pool.Put(buf)
	buf.a = grow(buf.a, roundUp(min(mc, m), mr)*min(kc, k))
	buf.b = grow(buf.b, roundUp(min(nc, n), nr)*min(kc, k))
	buf.tile = grow(buf.tile, mr*nr)
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(nr, buf.b, tB, b, ldb, pc, jc, kb, nb)
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				packA(mr, buf.a, tA, a, lda, ic, pc, mb, kb)
				macro(kern, buf, mb, nb, kb, c[ic*ldc+jc:], ldc, alpha)
			}
		}
	}
}

// macro multiplies the packed mb×kb block of A by the packed kb×nb panel of
// B into C (mb×nb, stride ldc), one mr×nr tile per kernel call. Partial
// tiles at the right and bottom edges go through the scratch tile so the
// kernel never writes outside C.
func macro(kern kernel, buf *buffers, mb, nb, kb int, c []float64, ldc int, alpha float64) {
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nb; jr += nr {
		nn := min(nr, nb-jr)
		bs := buf.b[jr*kb:] // sliver jr/nr starts at (jr/nr)·kb·nr
		for ir := 0; ir < mb; ir += mr {
			mm := min(mr, mb-ir)
			as := buf.a[ir*kb:]
			if mm == mr && nn == nr {
				kern.fn(kb, as, bs, c[ir*ldc+jr:], ldc, alpha)
				continue
			}
			t := buf.tile
			clear(t)
			kern.fn(kb, as, bs, t, nr, alpha)
			for i := 0; i < mm; i++ {
				row := c[(ir+i)*ldc+jr:][:nn]
				for j := range row {
					row[j] += t[i*nr+j]
				}
			}
		}
	}
}

// scale sets C = beta·C; beta 0 writes zeros without reading C (BLAS: a NaN
// in C does not survive beta = 0).
func scale(m, n int, beta float64, c []float64, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc:][:n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }
