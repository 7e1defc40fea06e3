//go:build openblas

package gemm

import "gonum.org/v1/netlib/blas/netlib"

// With the openblas tag BenchmarkDgemm also times OpenBLAS (through cgo,
// single-threaded: run with OPENBLAS_NUM_THREADS=1, and link it with
// CGO_LDFLAGS=-lopenblas since a test file cannot carry cgo flags) on the
// same shapes.
func init() {
	benchPeers = append(benchPeers, benchImpl{"openblas", netlib.Implementation{}.Dgemm})
}
