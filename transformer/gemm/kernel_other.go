//go:build !amd64

package gemm

// The AVX2 and AVX-512 kernels exist on amd64 only; elsewhere their names
// (which amd64's tests use) stand for the Go kernels, and nothing reports
// having them.
var (
	avx2Kernel64   = goKernel64
	avx2Kernel32   = goKernel32
	avx512Kernel32 = goKernel32
	haveAVX2       = false
	haveAVX512     = false
)

// packA6Trans32 has no assembly here: packA6 runs its Go loop.
func packA6Trans32(d, a []float32, lda, kb int) bool { return false }

// packA6Rows32 has no assembly here: packA6 runs its Go loop.
func packA6Rows32(d, a []float32, lda, kb int) int { return 0 }

// packB16Trans32 has no assembly here: packB runs its Go loop.
func packB16Trans32(d, b []float32, ldb, ldd, kb int) int { return 0 }
