//go:build !openblas

package transformer

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	gemmkernel "github.com/tick-llm/tick/transformer/gemm"
)

// In the default (pure-Go) build every float64 matrix product through gonum
// runs on transformer/gemm's packed micro-kernel (AVX2 assembly where the
// CPU has it), the rest of BLAS on gonum's own Go code. Like the OpenBLAS
// build, each call runs on one goroutine: gemm.go and cache.go cut large
// products into pieces for this package's goroutines, and large products
// here run on gemmkernel.DgemmParallel.
func init() {
	blas64.Use(gemmkernel.Implementation{})
	Backend = gemmkernel.Name()
	gemmParallel = func(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General, workers int) {
		k := a.Cols
		if tA != blas.NoTrans {
			k = a.Rows
		}
		gemmkernel.DgemmParallel(workers, tA, tB, c.Rows, c.Cols, k, alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
	}
}
