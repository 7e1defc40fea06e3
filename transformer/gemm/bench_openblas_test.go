//go:build openblas

package gemm

import (
	"gonum.org/v1/netlib/blas/netlib"

	// transformer's openblas build carries the cgo flag that links
	// -lopenblas (a test file cannot carry cgo flags itself); with this tag
	// transformer does not import this package, so there is no cycle.
	_ "github.com/tick-llm/tick/transformer"
)

// With the openblas tag BenchmarkDgemm and BenchmarkSgemm also time
// OpenBLAS's dgemm and sgemm (through cgo, single-threaded: run with
// OPENBLAS_NUM_THREADS=1) on the same shapes.
func init() {
	benchPeers = append(benchPeers, benchImpl{"openblas", netlib.Implementation{}.Dgemm})
	benchPeers32 = append(benchPeers32, benchImpl32{"openblas-sgemm", netlib.Implementation{}.Sgemm})
}
