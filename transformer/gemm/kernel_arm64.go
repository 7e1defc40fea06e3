package gemm

// The arm64 micro-kernels (kernel_arm64.s) are the AVX2
// kernels' tiles in NEON, which every 64-bit ARM CPU Go runs on has: 6×8
// doubles and 6×16 floats, each row of the tile in four of NEON's 32
// 128-bit registers. Each element of C gets the same FMAs in the same
// order as on amd64, so a product has the same bits on an Apple laptop as
// on an AVX2 machine (TestSameBitsOnArm64). (The Go code around the
// products need not: Go's compiler fuses x*y + z into one FMA on arm64,
// not on amd64.)
var (
	neonKernel64 = kernel[float64]{name: "go-neon", mr: 6, nr: 8, kc: kc64, mc: mc64, nc: nc64, fn: kernel6x8}
	neonKernel32 = kernel[float32]{name: "go-neon", mr: 6, nr: 16, kc: kc32, mc: mc32, nc: nc32, fn: kernel6x16}
)

func init() {
	best64, best32 = neonKernel64, neonKernel32
	asmKernels64 = []kernel[float64]{neonKernel64}
	asmKernels32 = []kernel[float32]{neonKernel32}
}

// kernel6x8 checks the panel and tile lengths once (the assembly does not)
// and runs the NEON kernel.
func kernel6x8(k int, a, b, c []float64, ldc int, alpha float64, over bool) {
	_, _, _ = a[6*k-1], b[8*k-1], c[5*ldc+7]
	kernel6x8NEON(k, &a[0], &b[0], &c[0], ldc, alpha, over)
}

// kernel6x8NEON: C[0:6, 0:8] += alpha · Σ_p a[6p:6p+6]ᵀ ⊗ b[8p:8p+8], k ≥ 1
// (with over, = instead of +=).
//
//go:noescape
func kernel6x8NEON(k int, a, b, c *float64, ldc int, alpha float64, over bool)

// kernel6x16 is kernel6x8 for the float32 kernel.
func kernel6x16(k int, a, b, c []float32, ldc int, alpha float32, over bool) {
	_, _, _ = a[6*k-1], b[16*k-1], c[5*ldc+15]
	kernel6x16NEON(k, &a[0], &b[0], &c[0], ldc, alpha, over)
}

// kernel6x16NEON: C[0:6, 0:16] += alpha · Σ_p a[6p:6p+6]ᵀ ⊗ b[16p:16p+16]
// in float32, k ≥ 1 (with over, = instead of +=).
//
//go:noescape
func kernel6x16NEON(k int, a, b, c *float32, ldc int, alpha float32, over bool)
