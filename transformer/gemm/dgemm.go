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
	dgemm(best, 1, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// DgemmParallel is Dgemm on up to workers goroutines. Each goroutine
// computes whole mc-row blocks of C with exactly the arithmetic Dgemm uses
// for them (every element of C gets the same operations in the same order
// whichever tile, block or goroutine it falls in), so the result is the
// same bits for any number of workers, and the same as Dgemm's.
func DgemmParallel(workers int, tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if err := Check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	dgemm(best, workers, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// buffers holds one goroutine's packed block of A and the scratch tile for
// the partial tiles at the edges; pooled so steady-state calls do not
// allocate. The packed panel of B is shared by all goroutines of a call.
type buffers struct {
	a, tile []float64
}

var (
	pool  = sync.Pool{New: func() any { return new(buffers) }}
	poolB = sync.Pool{New: func() any { return new([]float64) }}
)

// grow returns s with length n, reusing its storage when it is big enough.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// dgemm is Dgemm on checked arguments with the kernel kern on up to workers
// goroutines. For each nc-wide, kc-deep panel of B (packed once, shared),
// the mc-row blocks of C are dealt out to the goroutines; each scales its
// rows of C by beta (first panel only), packs its block of A and adds the
// block's product.
func dgemm(kern kernel, workers int, tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	mr, nr := kern.mr, kern.nr
	blocks := (m + mc - 1) / mc
	workers = max(1, min(workers, blocks))
	bufs := make([]*buffers, workers)
	for w := range bufs {
		bufs[w] = pool.Get().(*buffers)
		bufs[w].a = grow(bufs[w].a, roundUp(min(mc, m), mr)*min(kc, k))
		bufs[w].tile = grow(bufs[w].tile, mr*nr)
	}
	bp := poolB.Get().(*[]float64)
	*bp = grow(*bp, roundUp(min(nc, n), nr)*min(kc, k))
	packedB := *bp
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(nr, packedB, tB, b, ldb, pc, jc, kb, nb)
			each(blocks, workers, func(w, blk int) {
				ic := blk * mc
				mb := min(mc, m-ic)
				cb := c[ic*ldc+jc:]
				if pc == 0 {
					scale(mb, nb, beta, cb, ldc)
				}
				packA(mr, bufs[w].a, tA, a, lda, ic, pc, mb, kb)
				macro(kern, bufs[w], packedB, mb, nb, kb, cb, ldc, alpha)
			})
		}
	}
	for _, buf := range bufs {
		pool.Put(buf)
	}
	poolB.Put(bp)
}

// each runs fn(w, i) for i in [0, n) on workers goroutines, goroutine w
// taking i = w, w+workers, ...; the calling goroutine is worker 0.
func each(n, workers int, fn func(w, i int)) {
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(w, i)
			}
		}()
	}
	for i := 0; i < n; i += workers {
		fn(0, i)
	}
	wg.Wait()
}

// macro multiplies the packed mb×kb block of A by the packed kb×nb panel
// packedB into C (mb×nb, stride ldc), one mr×nr tile per kernel call. A
// partial tile at the right or bottom edge is copied into the scratch tile,
// updated there by the same kernel and copied back, so the kernel never
// touches memory outside C and every element of C gets the same arithmetic
// wherever the tile boundaries fall.
func macro(kern kernel, buf *buffers, packedB []float64, mb, nb, kb int, c []float64, ldc int, alpha float64) {
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nb; jr += nr {
		nn := min(nr, nb-jr)
		bs := packedB[jr*kb:] // sliver jr/nr starts at (jr/nr)·kb·nr
		for ir := 0; ir < mb; ir += mr {
			mm := min(mr, mb-ir)
			as := buf.a[ir*kb:]
			if mm == mr && nn == nr {
				kern.fn(kb, as, bs, c[ir*ldc+jr:], ldc, alpha)
				continue
			}
			t := buf.tile
			clear(t)
			for i := 0; i < mm; i++ {
				copy(t[i*nr:][:nn], c[(ir+i)*ldc+jr:][:nn])
			}
			kern.fn(kb, as, bs, t, nr, alpha)
			for i := 0; i < mm; i++ {
				copy(c[(ir+i)*ldc+jr:][:nn], t[i*nr:][:nn])
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
