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
// computes whole blocks of rows of C with exactly the arithmetic Dgemm uses
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
// the partial tiles at the edges.
type buffers struct {
	a, tile []float64
}

// grow returns s with length n, reusing its storage when it is big enough.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// call is one dgemm call: its arguments, the panel of B being multiplied
// and each goroutine's buffers. How C is cut into blocks of rows does not
// change its arithmetic (TestSameBitsAnyCut), so the cut may depend on
// the number of goroutines. Calls are pooled so that steady-state
// calls (a training step makes hundreds) allocate nothing but goroutines.
type call struct {
	kern                   kernel
	tA, tB                 bool
	m, n, k, lda, ldb, ldc int
	alpha, beta            float64
	a, b, c                []float64
	workers, blocks, rows  int       // goroutines; blocks of C of rows rows each (the last one may be shorter)
	jc, pc, nb, kb         int       // the current panel of B: columns jc.., rows pc..
	packedB                []float64 // that panel, packed (shared by all goroutines)
	bufs                   []buffers // one per goroutine
	wg                     sync.WaitGroup
}

var calls = sync.Pool{New: func() any { return new(call) }}

// dgemm is Dgemm on checked arguments with the kernel kern on up to workers
// goroutines. For each nc-wide, kc-deep panel of B (packed once by all
// goroutines together, then shared),
// the blocks of at most mc rows of C are dealt out to the goroutines; each scales its
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
	cl := calls.Get().(*call)
	*cl = call{kern: kern, tA: tA, tB: tB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc,
		alpha: alpha, beta: beta, a: a, b: b, c: c, packedB: cl.packedB, bufs: cl.bufs}
	mr, nr := kern.mr, kern.nr
	// Blocks of at most mc rows, a multiple of mr, as many as a whole number
	// of rounds of the goroutines so each gets about the same rows (the
	// block size changes no bit of the result: see the type comment).
	workers = max(1, workers)
	rounds := (m + workers*mc - 1) / (workers * mc)
	cl.rows = roundUp((m+rounds*workers-1)/(rounds*workers), mr)
	cl.blocks = (m + cl.rows - 1) / cl.rows
	cl.workers = min(workers, cl.blocks)
	for len(cl.bufs) < cl.workers {
		cl.bufs = append(cl.bufs, buffers{})
	}
	for w := range cl.workers {
		cl.bufs[w].a = grow(cl.bufs[w].a, cl.rows*min(kc, k))
		cl.bufs[w].tile = grow(cl.bufs[w].tile, mr*nr)
	}
	cl.packedB = grow(cl.packedB, roundUp(min(nc, n), nr)*min(kc, k))
	for cl.jc = 0; cl.jc < n; cl.jc += nc {
		cl.nb = min(nc, n-cl.jc)
		for cl.pc = 0; cl.pc < k; cl.pc += kc {
			cl.kb = min(kc, k-cl.pc)
			// Pack the panel of B (all goroutines, a sliver each in turn),
			// then multiply it by the blocks of A.
			for w := 1; w < cl.workers; w++ {
				cl.wg.Add(1)
				go cl.packWork(w)
			}
			cl.pack(0)
			cl.wg.Wait()
			for w := 1; w < cl.workers; w++ {
				cl.wg.Add(1)
				go cl.work(w)
			}
			cl.run(0)
			cl.wg.Wait()
		}
	}
	cl.a, cl.b, cl.c = nil, nil, nil // keep no caller memory alive in the pool
	calls.Put(cl)
}

// packWork packs goroutine w's slivers of the current panel of B and
// reports done.
func (cl *call) packWork(w int) {
	defer cl.wg.Done()
	cl.pack(w)
}

// pack packs slivers w, w+workers, ... (nr columns each) of the current
// panel of B.
func (cl *call) pack(w int) {
	nr := cl.kern.nr
	for s := w; s*nr < cl.nb; s += cl.workers {
		packB(nr, cl.packedB[s*cl.kb*nr:], cl.tB, cl.b, cl.ldb, cl.pc, cl.jc+s*nr, cl.kb, min(nr, cl.nb-s*nr))
	}
}

// work runs goroutine w's blocks of the current panel and reports done.
func (cl *call) work(w int) {
	defer cl.wg.Done()
	cl.run(w)
}

// run computes blocks w, w+workers, ... of C for the current panel of B.
func (cl *call) run(w int) {
	for blk := w; blk < cl.blocks; blk += cl.workers {
		ic := blk * cl.rows
		mb := min(cl.rows, cl.m-ic)
		cb := cl.c[ic*cl.ldc+cl.jc:]
		if cl.pc == 0 {
			scale(mb, cl.nb, cl.beta, cb, cl.ldc)
		}
		packA(cl.kern.mr, cl.bufs[w].a, cl.tA, cl.a, cl.lda, ic, cl.pc, mb, cl.kb)
		macro(cl.kern, &cl.bufs[w], cl.packedB, mb, cl.nb, cl.kb, cb, cl.ldc, cl.alpha)
	}
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
