package gemm

// goKernel64 and goKernel32 are the portable micro-kernel: a 4×4 tile of
// C in 16 local variables, which the compiler keeps in registers.
var (
	goKernel64 = kernel[float64]{name: "go", mr: 4, nr: 4, kc: kc64, mc: mc64, nc: nc64, fn: kernel4x4[float64]}
	goKernel32 = kernel[float32]{name: "go", mr: 4, nr: 4, kc: kc32, mc: mc32, nc: nc32, fn: kernel4x4[float32]}
)

// kernel4x4: C[0:4, 0:4] += alpha · Σ_p a[4p:4p+4]ᵀ ⊗ b[4p:4p+4] (an outer
// product per p: each a value meets each b value once); with over the
// tile of C is written (beta 0), not added to.
func kernel4x4[T float](k int, a, b, c []T, ldc int, alpha T, over bool) {
	var c00, c01, c02, c03 T
	var c10, c11, c12, c13 T
	var c20, c21, c22, c23 T
	var c30, c31, c32, c33 T
	a, b = a[:4*k], b[:4*k]
	for p := 0; p+3 < len(a) && p+3 < len(b); p += 4 {
		a0, a1, a2, a3 := a[p], a[p+1], a[p+2], a[p+3]
		b0, b1, b2, b3 := b[p], b[p+1], b[p+2], b[p+3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	if over {
		for i := range 4 {
			clear(c[i*ldc : i*ldc+4])
		}
	}
	r := c[0:4]
	r[0] += alpha * c00
	r[1] += alpha * c01
	r[2] += alpha * c02
	r[3] += alpha * c03
	r = c[ldc : ldc+4]
	r[0] += alpha * c10
	r[1] += alpha * c11
	r[2] += alpha * c12
	r[3] += alpha * c13
	r = c[2*ldc : 2*ldc+4]
	r[0] += alpha * c20
	r[1] += alpha * c21
	r[2] += alpha * c22
	r[3] += alpha * c23
	r = c[3*ldc : 3*ldc+4]
	r[0] += alpha * c30
	r[1] += alpha * c31
	r[2] += alpha * c32
	r[3] += alpha * c33
}
