//go:build !openblas

package transformer

import (
	"gonum.org/v1/gonum/blas/blas64"

	gemmkernel "github.com/tick-llm/tick/transformer/gemm"
)

// In the default (pure-Go) build every float64 matrix product through gonum
// runs on transformer/gemm's packed micro-kernel (AVX2 assembly where the
// CPU has it), the rest of BLAS on gonum's own Go code. Like the OpenBLAS
// build, each call runs on one goroutine: gemm.go and cache.go cut large
// products into pieces for this package's goroutines.
func init() {
	blas64.Use(gemmkernel.Implementation{})
	Backend = gemmkernel.Name()
}
