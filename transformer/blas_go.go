//go:build !openblas

package transformer

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	gemmkernel "github.com/tick-llm/tick/transformer/gemm"
)

// In the default (pure-Go) build every matrix product through gonum, float64
// and float32, runs on transformer/gemm's packed micro-kernels (AVX2
// assembly where the CPU has it), the rest of BLAS on gonum's own Go code.
// Like the OpenBLAS build, each call runs on one goroutine: gemm.go,
// gemm32.go and cache.go cut large products into pieces for this package's
// goroutines, and large products here run on gemmkernel.DgemmParallel and
// gemmkernel.SgemmParallel (the same bits on any number of workers).
func init() {
	blas64.Use(gemmkernel.Implementation{})
	blas32.Use(gemmkernel.Implementation{})
	Backend = gemmkernel.Name()
	gemmParallel = func(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General, workers int) {
		gemmkernel.DgemmParallel(workers, tA, tB, c.Rows, c.Cols, innerSize(tA, a.Rows, a.Cols), alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
	}
	gemmParallel32 = func(tA, tB blas.Transpose, alpha float32, a, b blas32.General, beta float32, c blas32.General, workers int) {
		gemmkernel.SgemmParallel(workers, tA, tB, c.Rows, c.Cols, innerSize(tA, a.Rows, a.Cols), alpha, a.Data, a.Stride, b.Data, b.Stride, beta, c.Data, c.Stride)
	}
}
