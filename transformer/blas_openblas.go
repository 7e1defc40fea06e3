//go:build openblas

package transformer

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
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
