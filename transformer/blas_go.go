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

// mmBand is mm on the calling goroutine only, for the small products of
// one attention head (already run in parallel by head), with the work
// outside band skipped: causal attention's zeros (gemm.Band; the same bits
// as the full product).
func mmBand[F float](bd band, tA, tB blas.Transpose, alpha F, a, b matrix[F], beta F, c matrix[F]) {
	k := innerSize(tA, a.Rows, a.Cols)
	switch ad := any(a.Data).(type) {
	case []float64:
		gemmkernel.DgemmBand(gemmBands[bd], tA, tB, c.Rows, c.Cols, k, float64(alpha), ad, a.Stride,
			any(b.Data).([]float64), b.Stride, float64(beta), any(c.Data).([]float64), c.Stride)
	case []float32:
		gemmkernel.SgemmBand(gemmBands[bd], tA, tB, c.Rows, c.Cols, k, float32(alpha), ad, a.Stride,
			any(b.Data).([]float32), b.Stride, float32(beta), any(c.Data).([]float32), c.Stride)
	}
}

// gemmBands maps attention's bands to transformer/gemm's.
var gemmBands = [...]gemmkernel.Band{lowerC: gemmkernel.LowerC, lowerA: gemmkernel.LowerA, upperA: gemmkernel.UpperA}
