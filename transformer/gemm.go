package transformer

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemm computes C = alpha·op(A)·op(B) + beta·C like blas64.Gemm, cutting a
// large product into independent pieces run on up to workers goroutines:
// the rows of C (the rows of op(A)) or, when C is wider than tall, its
// columns (the columns of op(B)). The cut depends only
// on the shapes, never on the number of workers, so the result is the same
// on any number of cores. Each piece is one single-threaded BLAS call (the
// openblas build sets OpenBLAS to one thread), so the goroutines of this
// package are the only threads competing for the cores.
func gemm(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General, workers int) {
	k := a.Cols
	if tA == blas.Trans {
		k = a.Rows
	}
	if c.Rows*c.Cols*k < gemmSplitMin {
		blas64.Gemm(tA, tB, alpha, a, b, beta, c)
		return
	}
	if gemmParallel != nil {
		gemmParallel(tA, tB, alpha, a, b, beta, c, workers)
		return
	}
	inPieces(c.Rows, c.Cols, workers, func(byRows bool, lo, hi int) {
		if byRows {
			blas64.Gemm(tA, tB, alpha, rowsOf(a, tA, lo, hi), b, beta, sliceRows(c, lo, hi))
		} else {
			blas64.Gemm(tA, tB, alpha, a, colsOf(b, tB, lo, hi), beta, sliceCols(c, lo, hi))
		}
	})
}

// inPieces cuts a rows x cols product into about gemmPieces pieces along
// its rows or, when it is wider than tall, its columns, each a multiple of
// gemmChunk (enough to share among cores, few enough that BLAS repacks the
// other operand rarely), and runs piece(byRows, lo, hi) for each on up to
// workers goroutines. The cut depends only on the shape.
func inPieces(rows, cols, workers int, piece func(byRows bool, lo, hi int)) {
	byRows := rows >= cols
	n := cols
	if byRows {
		n = rows
	}
	size := (n + gemmPieces - 1) / gemmPieces
	size = max(gemmChunk, (size+gemmChunk-1)/gemmChunk*gemmChunk)
	chunks := (n + size - 1) / size
	parallelFor(chunks, workers, func(_, i int) {
		piece(byRows, i*size, min((i+1)*size, n))
	})
}

// gemmParallel, when set (the default build, blas_go.go), runs a large
// product on workers goroutines itself: transformer/gemm packs each panel of
// B once for all of them, where the pieces above would each pack it again,
// and its result is the same bits for any number of workers.
var gemmParallel func(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General, workers int)

// A large product is cut into about gemmPieces pieces whose size along the
// cut is a multiple of gemmChunk; products with fewer than gemmSplitMin
// multiply-adds run in one call.
const (
	gemmPieces   = 8
	gemmChunk    = 32
	gemmSplitMin = 1 << 18
)

// rowsOf returns the rows [lo, hi) of op(a).
func rowsOf(a blas64.General, t blas.Transpose, lo, hi int) blas64.General {
	if t == blas.NoTrans {
		return sliceRows(a, lo, hi)
	}
	return sliceCols(a, lo, hi)
}

// colsOf returns the columns [lo, hi) of op(b).
func colsOf(b blas64.General, t blas.Transpose, lo, hi int) blas64.General {
	if t == blas.NoTrans {
		return sliceCols(b, lo, hi)
	}
	return sliceRows(b, lo, hi)
}

func sliceRows(m blas64.General, lo, hi int) blas64.General {
	return general(m.Data[lo*m.Stride:], hi-lo, m.Cols, m.Stride)
}

func sliceCols(m blas64.General, lo, hi int) blas64.General {
	return general(m.Data[lo:], m.Rows, hi-lo, m.Stride)
}
