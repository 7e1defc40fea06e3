package gemm

import "golang.org/x/sys/cpu"

// avx2Kernel is the amd64 micro-kernel in kernel_amd64.s: a 6×8 tile of C
// in 12 of the 16 YMM registers (each holds 4 doubles), two for a row of
// the B panel and two for broadcast A values; one FMA per register per p.
var avx2Kernel = kernel{name: "go-avx2", mr: 6, nr: 8, fn: kernel6x8}

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		best = avx2Kernel
	}
}

// kernel6x8 checks the panel and tile lengths once (the assembly does not)
// and runs the assembly kernel.
func kernel6x8(k int, a, b, c []float64, ldc int, alpha float64) {
	_, _, _ = a[6*k-1], b[8*k-1], c[5*ldc+7]
	kernel6x8AVX2(k, &a[0], &b[0], &c[0], ldc, alpha)
}

// kernel6x8AVX2: C[0:6, 0:8] += alpha · Σ_p a[6p:6p+6]ᵀ ⊗ b[8p:8p+8], k ≥ 1.
//
//go:noescape
func kernel6x8AVX2(k int, a, b, c *float64, ldc int, alpha float64)
