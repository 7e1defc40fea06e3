//go:build openblas

package transformer

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// With the openblas build tag every gonum matrix product (float64 and
// float32) in the process runs on OpenBLAS through cgo instead of gonum's
// pure-Go kernels.
//
// OpenBLAS runs one thread per call: this package cuts large products into
// pieces for its own goroutines (gemm.go, cache.go), and OpenBLAS threads
// that spin while waiting would compete with them for the cores.
func init() {
	blas64.Use(netlib.Implementation{})
	blas32.Use(netlib.Implementation{})
	C.openblas_set_num_threads(1)
	Backend = "openblas"
}

// mmBand is mm on the calling goroutine only, for the small products of
// one attention head. BLAS has no banded product, so OpenBLAS computes the
// whole one: band only promises zeros (or entries no one reads) outside
// it, so the values are the same.
func mmBand[F float](_ band, tA, tB blas.Transpose, alpha F, a, b matrix[F], beta F, c matrix[F]) {
	switch ad := any(a.Data).(type) {
	case []float64:
		blas64.Gemm(tA, tB, float64(alpha), to64(a, ad), to64(b, any(b.Data).([]float64)), float64(beta), to64(c, any(c.Data).([]float64)))
	case []float32:
		blas32.Gemm(tA, tB, float32(alpha), to32(a, ad), to32(b, any(b.Data).([]float32)), float32(beta), to32(c, any(c.Data).([]float32)))
	}
}
