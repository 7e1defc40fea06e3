package gemm

import "gonum.org/v1/gonum/blas"

// Block sizes for float32. kc stays 256: a 256×16 sliver of packed B is
// 16 KiB, the same bytes as float64's 256×8 sliver, half of this CPU's
// 32 KiB L1 (the other half holds the A panel streaming through and the
// tile of C). mc is twice float64's, so the packed 144×256 block of A is
// 144 KiB like float64's. Measured on the training shapes
// (BenchmarkSgemmBlocks, AMD EPYC Zen 1): kc 128 to 512 and mc 72 to 144
// are all within about 5% of each other, less than the spread of one
// setting between runs, and the whole product runs at about 90% of the
// kernel alone on cached panels (BenchmarkKernel): the kernel bounds it,
// not the caches.
const (
	kc32 = 256
	mc32 = 144
	nc32 = 2048
)

// best32 is the fastest float32 kernel this CPU runs (chosen in init).
var best32 = goKernel32

// asmKernels32 are the assembly float32 kernels this CPU runs, the
// fastest last (set in init; empty where there are none), for the tests.
var asmKernels32 []kernel[float32]

// Sgemm is Dgemm in single precision: C = alpha·op(A)·op(B) + beta·C on
// float32 matrices, the products summed in float32 like Reference32, with
// the same driver as Dgemm and a float32 micro-kernel (8 floats per AVX2
// register, twice Dgemm's 4 doubles). It panics on arguments that do not
// describe matrices (see Check32).
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	SgemmParallel(1, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmParallel is Sgemm on up to workers goroutines, with the same bits
// for any number of workers (see DgemmParallel).
func SgemmParallel(workers int, tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if err := Check32(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	gemm(best32, workers, Full, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
