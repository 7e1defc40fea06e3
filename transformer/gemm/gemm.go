package gemm

import (
	"sync"
)

// float is the element type of a product: Dgemm and Sgemm run the same
// driver below (packing, blocking, macro-kernel, parallel split), each
// with the micro-kernel and block sizes of its type.
type float interface{ float32 | float64 }

// A kernel multiplies one packed mr×k panel of A by one packed k×nr panel
// of B into an mr×nr tile of C held in registers:
//
//	C[i,j] += alpha · Σ_p a[p·mr+i] · b[p·nr+j]   (C row-major, stride ldc)
//
// and carries the block sizes the driver cuts the product into for it: a
// kc×nr sliver of packed B stays in L1 while the kernel streams through
// it, an mc×kc block of packed A stays in L2, a kc×nc panel of packed B in
// L3. mc is a multiple of mr and nc of nr, so only the last tile of a row
// or column of tiles is partial. kc fixes where the sums over p are cut,
// so it is part of the arithmetic: it is one constant per element type,
// never chosen per call (TestSameBitsAnyCut).
type kernel[T float] struct {
	name       string
	mr, nr     int
	kc, mc, nc int
	fn         func(k int, a, b, c []T, ldc int, alpha T, over bool)
	// direct, when not nil, is fn on operands read in place: A's element
	// (i, p) at a[i·rsA + p·csA], B's row p at b[p·ldb:] (packed panels are
	// rsA 1, csA mr, ldb nr), with the same arithmetic. The driver then
	// skips packing a row-major A or B whose panels are all whole.
	direct func(k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int, alpha T, over bool)
}

// buffers holds one goroutine's packed block of A and the scratch tile for
// the partial tiles at the edges.
type buffers[T float] struct {
	a, tile []T
}

// grow returns s with length n, reusing its storage when it is big enough.
func grow[T float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// call is one gemm call: its arguments, the panel of B being multiplied
// and each goroutine's buffers. How C is cut into blocks of rows does not
// change its arithmetic (TestSameBitsAnyCut), so the cut may depend on
// the number of goroutines. Calls are pooled so that steady-state
// calls (a training step makes hundreds) allocate nothing but goroutines.
type call[T float] struct {
	kern                   kernel[T]
	band                   Band
	tA, tB                 bool
	m, n, k, lda, ldb, ldc int
	alpha, beta            T
	a, b, c                []T
	workers, blocks, rows  int          // goroutines; blocks of C of rows rows each (the last one may be shorter)
	directA, directB       bool         // the kernel reads A, B in place (kernel.direct), unpacked
	jc, pc, nb, kb         int          // the current panel of B: columns jc.., rows pc..
	packedB                []T          // that panel, packed (shared by all goroutines)
	bufs                   []buffers[T] // one per goroutine
	wg                     sync.WaitGroup
}

// One pool of calls per element type (a package-level variable cannot be
// generic).
var (
	calls64 = sync.Pool{New: func() any { return new(call[float64]) }}
	calls32 = sync.Pool{New: func() any { return new(call[float32]) }}
)

func callPool[T float]() *sync.Pool {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return &calls32
	}
	return &calls64
}

// gemm is Dgemm or Sgemm on checked arguments with the kernel kern on up
// to workers goroutines. For each nc-wide, kc-deep panel of B (packed once
// by all goroutines together, then shared), the blocks of at most mc rows
// of C are dealt out to the goroutines; each scales its rows of C by beta
// (first panel only), packs its block of A and adds the block's product.
func gemm[T float](kern kernel[T], workers int, band Band, tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	pool := callPool[T]()
	cl := pool.Get().(*call[T])
	*cl = call[T]{kern: kern, band: band, tA: tA, tB: tB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc,
		alpha: alpha, beta: beta, a: a, b: b, c: c, packedB: cl.packedB, bufs: cl.bufs}
	mr, nr, kc, mc, nc := kern.mr, kern.nr, kern.kc, kern.mc, kern.nc
	// A row-major B whose slivers are all whole is read in place: each row
	// of a sliver is nr contiguous values already, and packing it cost as
	// much as a tenth of the kernel's time. A row-major A too, but only
	// beside such a B: with a packed B the kernel reads in place no faster
	// than it packs (BenchmarkSgemm, NT shapes). A transposed operand stays
	// packed: read in place, a panel would touch one cache line per p.
	cl.directB = kern.direct != nil && !tB && n%nr == 0
	cl.directA = cl.directB && !tA && m%mr == 0
	// Blocks of at most mc rows, a multiple of mr, as many as a whole number
	// of rounds of the goroutines so each gets about the same rows (the
	// block size changes no bit of the result: see the type comment).
	workers = max(1, workers)
	rounds := (m + workers*mc - 1) / (workers * mc)
	cl.rows = roundUp((m+rounds*workers-1)/(rounds*workers), mr)
	cl.blocks = (m + cl.rows - 1) / cl.rows
	cl.workers = min(workers, cl.blocks)
	for len(cl.bufs) < cl.workers {
		cl.bufs = append(cl.bufs, buffers[T]{})
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
			if !cl.directB {
				for w := 1; w < cl.workers; w++ {
					cl.wg.Add(1)
					go cl.packWork(w)
				}
				cl.pack(0)
				cl.wg.Wait()
			}
			for w := 1; w < cl.workers; w++ {
				cl.wg.Add(1)
				go cl.work(w)
			}
			cl.run(0)
			cl.wg.Wait()
		}
	}
	cl.a, cl.b, cl.c = nil, nil, nil // keep no caller memory alive in the pool
	pool.Put(cl)
}

// packWork packs goroutine w's slivers of the current panel of B and
// reports done.
func (cl *call[T]) packWork(w int) {
	defer cl.wg.Done()
	cl.pack(w)
}

// pack packs slivers w, w+workers, ... (nr columns each) of the current
// panel of B.
func (cl *call[T]) pack(w int) {
	nr := cl.kern.nr
	for s := w; s*nr < cl.nb; s += cl.workers {
		packB(nr, cl.packedB[s*cl.kb*nr:], cl.tB, cl.b, cl.ldb, cl.pc, cl.jc+s*nr, cl.kb, min(nr, cl.nb-s*nr))
	}
}

// work runs goroutine w's blocks of the current panel and reports done.
func (cl *call[T]) work(w int) {
	defer cl.wg.Done()
	cl.run(w)
}

// run computes blocks w, w+workers, ... of C for the current panel of B.
func (cl *call[T]) run(w int) {
	for blk := w; blk < cl.blocks; blk += cl.workers {
		ic := blk * cl.rows
		mb := min(cl.rows, cl.m-ic)
		cb := cl.c[ic*cl.ldc+cl.jc:]
		// beta 0 with every tile computed: the first panel's tiles are
		// written over C instead of added to zeros (no clearing, no reads
		// of C); a band may skip tiles, which must hold zeros then.
		over := cl.pc == 0 && cl.beta == 0 && cl.band == Full
		if cl.pc == 0 && !over {
			scale(mb, cl.nb, cl.beta, cb, cl.ldc)
		}
		p := panels[T]{a: cl.bufs[w].a, aRow: cl.kb, rsA: 1, csA: cl.kern.mr, b: cl.packedB, bCol: cl.kb, ldb: cl.kern.nr,
			direct: cl.directA || cl.directB}
		if cl.directA {
			p.a, p.aRow, p.rsA, p.csA = cl.a[ic*cl.lda+cl.pc:], cl.lda, cl.lda, 1
		} else {
			packA(cl.kern.mr, cl.bufs[w].a, cl.tA, cl.a, cl.lda, ic, cl.pc, mb, cl.kb)
		}
		if cl.directB {
			p.b, p.bCol, p.ldb = cl.b[cl.pc*cl.ldb+cl.jc:], 1, cl.ldb
		}
		macro(cl.kern, &cl.bufs[w], p, bandAt{cl.band, ic, cl.jc, cl.pc}, mb, cl.nb, cl.kb, cb, cl.ldc, cl.alpha, over)
	}
}

// panels says where the kernel reads one block's operands: the A panel of
// the block's row ir at a[ir·aRow:], element (i, p) rsA·i + csA·p further;
// the B sliver of column jr at b[jr·bCol:], row p ldb·p further. Packed, a
// panel is contiguous (rsA 1, csA mr; ldb nr); in place (kernel.direct),
// the strides are the matrix's own.
type panels[T float] struct {
	a              []T
	aRow, rsA, csA int
	b              []T
	bCol, ldb      int
	direct         bool // an operand is read in place: the kernel's direct form runs
}

// macro multiplies the mb×kb block of A by the kb×nb panel of B that p
// locates into C (mb×nb, stride ldc), one mr×nr tile per kernel call, each
// over the values of p that the band bd leaves it (all of them for Full),
// written over C with over (beta 0, first panel) instead of added to it. A
// partial tile at the right or bottom edge is copied into the scratch tile,
// updated there by the same kernel and copied back, so the kernel never
// touches memory outside C and every element of C gets the same arithmetic
// wherever the tile boundaries fall.
func macro[T float](kern kernel[T], buf *buffers[T], p panels[T], bd bandAt, mb, nb, kb int, c []T, ldc int, alpha T, over bool) {
	mr, nr := kern.mr, kern.nr
	var lo, hi int // the values of p the current tile sums over
	tile := func(as, bs, c []T, ldc int) {
		as, bs = as[lo*p.csA:], bs[lo*p.ldb:]
		if p.direct {
			kern.direct(hi-lo, as, p.rsA, p.csA, bs, p.ldb, c, ldc, alpha, over)
		} else {
			kern.fn(hi-lo, as, bs, c, ldc, alpha, over)
		}
	}
	for jr := 0; jr < nb; jr += nr {
		nn := min(nr, nb-jr)
		bs := p.b[jr*p.bCol:]
		for ir := 0; ir < mb; ir += mr {
			mm := min(mr, mb-ir)
			if lo, hi = bd.sums(ir, mm, jr, kb); lo >= hi {
				continue // outside the band: C keeps beta·C
			}
			as := p.a[ir*p.aRow:]
			if mm == mr && nn == nr {
				tile(as, bs, c[ir*ldc+jr:], ldc)
				continue
			}
			t := buf.tile
			clear(t)
			for i := 0; i < mm; i++ {
				copy(t[i*nr:][:nn], c[(ir+i)*ldc+jr:][:nn])
			}
			tile(as, bs, t, nr)
			for i := 0; i < mm; i++ {
				copy(c[(ir+i)*ldc+jr:][:nn], t[i*nr:][:nn])
			}
		}
	}
}

// scale sets C = beta·C; beta 0 writes zeros without reading C (BLAS: a NaN
// in C does not survive beta = 0).
func scale[T float](m, n int, beta T, c []T, ldc int) {
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
