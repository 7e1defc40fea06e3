//go:build openblas

package transformer

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
// int openblas_get_num_threads(void);
import "C"

func init() {
	setBLASThreads = func(n int) { C.openblas_set_num_threads(C.int(n)) }
	blasThreads = func() int { return int(C.openblas_get_num_threads()) }
	// One OpenBLAS thread per call: this package cuts large products into
	// pieces for its own goroutines (gemm.go), and OpenBLAS threads that
	// spin while waiting would compete with them for the cores.
	setBLASThreads(1)
}
