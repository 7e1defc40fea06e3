package transformer

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gemm32 is gemm (gemm.go) in single precision: C = alpha·op(A)·op(B) +
// beta·C on float32 matrices, for the float32 compute path of training.
// Large products run on gemmParallel32 when a build installs it (the
// default build: transformer/gemm's float32 kernel), else are cut into the
// same shape-only pieces as gemm's, each one single-threaded blas32 call;
// either way the result does not depend on the number of workers.
func gemm32(tA, tB blas.Transpose, alpha float32, a, b blas32.General, beta float32, c blas32.General, workers int) {
	k := a.Cols
	if tA == blas.Trans {
		k = a.Rows
	}
	if c.Rows*c.Cols*k < gemmSplitMin {
		blas32.Gemm(tA, tB, alpha, a, b, beta, c)
		return
	}
	if gemmParallel32 != nil {
		gemmParallel32(tA, tB, alpha, a, b, beta, c, workers)
		return
	}
	inPieces(c.Rows, c.Cols, workers, func(byRows bool, lo, hi int) {
		if byRows {
			blas32.Gemm(tA, tB, alpha, rowsOf32(a, tA, lo, hi), b, beta, sliceRows32(c, lo, hi))
		} else {
			blas32.Gemm(tA, tB, alpha, a, colsOf32(b, tB, lo, hi), beta, sliceCols32(c, lo, hi))
		}
	})
}

// gemmParallel32, when set by a build, runs a large float32 product on
// workers goroutines itself, with the same bits for any number of workers.
var gemmParallel32 func(tA, tB blas.Transpose, alpha float32, a, b blas32.General, beta float32, c blas32.General, workers int)

// general32 is general (linear.go) for float32 data.
func general32(data []float32, rows, cols, stride int) blas32.General {
	return blas32.General{Rows: rows, Cols: cols, Stride: stride, Data: data[:(rows-1)*stride+cols]}
}

func rowsOf32(a blas32.General, t blas.Transpose, lo, hi int) blas32.General {
	if t == blas.NoTrans {
		return sliceRows32(a, lo, hi)
	}
	return sliceCols32(a, lo, hi)
}

func colsOf32(b blas32.General, t blas.Transpose, lo, hi int) blas32.General {
	if t == blas.NoTrans {
		return sliceCols32(b, lo, hi)
	}
	return sliceRows32(b, lo, hi)
}

func sliceRows32(m blas32.General, lo, hi int) blas32.General {
	return general32(m.Data[lo*m.Stride:], hi-lo, m.Cols, m.Stride)
}

func sliceCols32(m blas32.General, lo, hi int) blas32.General {
	return general32(m.Data[lo:], m.Rows, hi-lo, m.Stride)
}
