//go:build openblas

package transformer

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// With the openblas build tag every gonum matrix product (float64 and float32) in the process runs
// on OpenBLAS through cgo instead of gonum's pure-Go kernels.
func init() {
	blas64.Use(netlib.Implementation{})
	blas32.Use(netlib.Implementation{})
	Backend = "openblas"
}
