package gemm

import "gonum.org/v1/gonum/blas"

// Block sizes for float64, BLIS's choice for double precision on AVX2
// cores (see kernel for what each one keeps in which cache): a 256×8
// sliver of B is 16 KiB, a 72×256 block of A 144 KiB.
const (
	kc64 = 256
	mc64 = 72
	nc64 = 2048
)

// best64 is the fastest float64 kernel this CPU runs (chosen in init).
var best64 = goKernel64

// asmKernels64 is asmKernels32 for float64.
var asmKernels64 []kernel[float64]

// Name names the micro-kernels Dgemm and Sgemm run on this CPU:
// "go-avx512" (Sgemm in Go assembly with AVX-512, Dgemm with AVX2 and
// FMA), "go-avx2" (both with AVX2 and FMA), "go-neon" (both in Go
// assembly with arm64's NEON) or "go" (portable Go). It is
// the float32 kernel's name: the one tick's training and generation run.
func Name() string { return best32.name }

// Dgemm computes C = alpha·op(A)·op(B) + beta·C like Reference, fast: same
// arguments, same meaning, results equal to Reference's up to rounding
// (the sums are added in another order). It panics, as BLAS routines do,
// on arguments that do not describe matrices (see Check for the message).
func Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	DgemmParallel(1, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// DgemmParallel is Dgemm on up to workers goroutines. Each goroutine
// computes whole blocks of rows of C with exactly the arithmetic Dgemm uses
// for them (every element of C gets the same operations in the same order
// whichever tile, block or goroutine it falls in), so the result is the
// same bits for any number of workers, and the same as Dgemm's.
func DgemmParallel(workers int, tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if err := Check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	gemm(best64, workers, Full, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
