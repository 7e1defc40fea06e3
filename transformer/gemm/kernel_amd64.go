package gemm

import "golang.org/x/sys/cpu"

// The amd64 micro-kernels in kernel_amd64.s and kernel32_amd64.s keep a
// tile of C in 12 of the 16 YMM registers, use two for a row of the B panel
// and two for broadcast A values: one FMA per register per p.
//
// avx2Kernel64 is 6×8 (each register holds 4 doubles, so a row of the tile
// is 2 registers); avx2Kernel32 is 6×16 (8 floats per register), BLIS's
// Haswell shape for sgemm: the same instructions per p as the float64
// kernel, twice the multiply-adds.
var (
	avx2Kernel64 = kernel[float64]{name: "go-avx2", mr: 6, nr: 8, kc: kc64, mc: mc64, nc: nc64, fn: kernel6x8}
	avx2Kernel32 = kernel[float32]{name: "go-avx2", mr: 6, nr: 16, kc: kc32, mc: mc32, nc: nc32, fn: kernel6x16, direct: kernel6x16Direct}
)

// avx512Kernel32 is the float32 kernel on AVX-512 (kernel512_amd64.s):
// 6×32, the AVX2 kernel's register map with 16 floats a register, twice
// the multiply-adds an instruction. Its sums are the AVX2 kernel's, FMA
// for FMA, so the two give the same bits (TestAVX512SameBits) and a model
// trains to the same weights on either CPU.
var avx512Kernel32 = kernel[float32]{name: "go-avx512", mr: 6, nr: 32, kc: kc32, mc: mc32, nc: nc32, fn: kernel6x32, direct: kernel6x32Direct}

// What this CPU runs (the kernels' tests skip what it does not).
var (
	haveAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	haveAVX512 = haveAVX2 && cpu.X86.HasAVX512F
)

func init() {
	if haveAVX2 {
		best64, best32 = avx2Kernel64, avx2Kernel32
		asmKernels64 = []kernel[float64]{avx2Kernel64}
		asmKernels32 = []kernel[float32]{avx2Kernel32}
	}
	if haveAVX512 {
		best32 = avx512Kernel32
		asmKernels32 = append(asmKernels32, avx512Kernel32)
	}
}

// kernel6x32 checks the panel and tile lengths once and runs the AVX-512
// kernel.
func kernel6x32(k int, a, b, c []float32, ldc int, alpha float32, over bool) {
	_, _, _ = a[6*k-1], b[32*k-1], c[5*ldc+31]
	kernel6x32AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, over)
}

// kernel6x32AVX512: C[0:6, 0:32] += alpha · Σ_p a[6p:6p+6]ᵀ ⊗ b[32p:32p+32]
// in float32, k ≥ 1 (with over, = instead of +=).
//
//go:noescape
func kernel6x32AVX512(k int, a, b, c *float32, ldc int, alpha float32, over bool)

// kernel6x32Direct is kernel6x16Direct for the AVX-512 kernel.
func kernel6x32Direct(k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, alpha float32, over bool) {
	_, _, _ = a[5*rsA+(k-1)*csA], b[(k-1)*ldb+31], c[5*ldc+31]
	kernel6x32DirectAVX512(k, &a[0], rsA, csA, &b[0], ldb, &c[0], ldc, alpha, over)
}

// kernel6x32DirectAVX512 is kernel6x16DirectAVX2 with 32 columns.
//
//go:noescape
func kernel6x32DirectAVX512(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc int, alpha float32, over bool)

// kernel6x8 checks the panel and tile lengths once (the assembly does not)
// and runs the assembly kernel.
func kernel6x8(k int, a, b, c []float64, ldc int, alpha float64, over bool) {
	_, _, _ = a[6*k-1], b[8*k-1], c[5*ldc+7]
	kernel6x8AVX2(k, &a[0], &b[0], &c[0], ldc, alpha, over)
}

// kernel6x8AVX2: C[0:6, 0:8] += alpha · Σ_p a[6p:6p+6]ᵀ ⊗ b[8p:8p+8], k ≥ 1
// (with over, = instead of +=).
//
//go:noescape
func kernel6x8AVX2(k int, a, b, c *float64, ldc int, alpha float64, over bool)

// kernel6x16 is kernel6x8 for the float32 kernel.
func kernel6x16(k int, a, b, c []float32, ldc int, alpha float32, over bool) {
	_, _, _ = a[6*k-1], b[16*k-1], c[5*ldc+15]
	kernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, alpha, over)
}

// kernel6x16AVX2: C[0:6, 0:16] += alpha · Σ_p a[6p:6p+6]ᵀ ⊗ b[16p:16p+16]
// in float32, k ≥ 1 (with over, = instead of +=).
//
//go:noescape
func kernel6x16AVX2(k int, a, b, c *float32, ldc int, alpha float32, over bool)

// kernel6x16Direct is kernel6x16 on operands in place: A's element (i, p)
// at a[i·rsA + p·csA], B's row p at b[p·ldb:][:16] (a packed panel is
// rsA 1, csA 6, ldb 16). It checks the last element each reads once.
func kernel6x16Direct(k int, a []float32, rsA, csA int, b []float32, ldb int, c []float32, ldc int, alpha float32, over bool) {
	_, _, _ = a[5*rsA+(k-1)*csA], b[(k-1)*ldb+15], c[5*ldc+15]
	kernel6x16DirectAVX2(k, &a[0], rsA, csA, &b[0], ldb, &c[0], ldc, alpha, over)
}

// kernel6x16DirectAVX2: C[0:6, 0:16] += alpha · Σ_p A[0:6, p] ⊗ B[p, 0:16]
// with A[i, p] = a[i·rsA + p·csA] and B[p, j] = b[p·ldb + j], in float32,
// the same operations in the same order as kernel6x16AVX2, k ≥ 1.
//
//go:noescape
func kernel6x16DirectAVX2(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc int, alpha float32, over bool)

// packA6Trans32 is packA6's transposed case in float32 (d holds 6·kb
// values, a the panel's first value of row 0): 24 bytes a row in two
// moves. It reports whether it ran (always, on amd64).
func packA6Trans32(d, a []float32, lda, kb int) bool {
	_, _ = d[6*kb-1], a[(kb-1)*lda+5]
	packA6T32(&d[0], &a[0], lda, kb)
	return true
}

// packA6T32: d[6p+r] = a[p·lda+r] for p < kb (kb ≥ 1), r < 6.
//
//go:noescape
func packA6T32(d, a *float32, lda, kb int)

// packA6Rows32 is packA6's untransposed case in float32 on the first
// kb&^3 columns (a holds the panel's 6 rows from its first column, lda
// apart); it returns how many columns it packed.
func packA6Rows32(d, a []float32, lda, kb int) int {
	n := kb &^ 3
	if n == 0 {
		return 0
	}
	_, _ = d[6*n-1], a[5*lda+n-1]
	packA6N32(&d[0], &a[0], lda, n)
	return n
}

// packA6N32: d[6p+r] = a[r·lda+p] for p < kb (a positive multiple of 4), r < 6.
//
//go:noescape
func packA6N32(d, a *float32, lda, kb int)

// packB16Trans32 is packB's transposed case in float32 for 16 whole
// columns of a panel whose rows are ldd floats apart (b holds the first
// of the 16 stored rows from its first p, ldb apart), on its first kb&^3
// rows; it returns how many rows it packed.
func packB16Trans32(d, b []float32, ldb, ldd, kb int) int {
	n := kb &^ 3
	if n == 0 {
		return 0
	}
	_, _ = d[ldd*(n-1)+15], b[15*ldb+n-1]
	packB16T32(&d[0], &b[0], ldb, ldd, n)
	return n
}

// packB16T32: d[ldd·p+j] = b[j·ldb+p] for p < kb (a positive multiple of 4), j < 16.
//
//go:noescape
func packB16T32(d, b *float32, ldb, ldd, kb int)
