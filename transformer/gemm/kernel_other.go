//go:build !amd64

package gemm

// avx2Kernel exists on amd64 only; elsewhere the tests exercise goKernel.
var avx2Kernel = goKernel
