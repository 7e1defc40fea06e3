//go:build amd64 || arm64

package vec

// The assembly kernels: vec_amd64.s (AVX2 and FMA, eight lanes a
// register) and vec_arm64.s (NEON, four lanes a register). Both do the
// same operations in the same order, so they give the same bits: a dot
// sums in 16 lanes (two 8-lane registers on amd64, four 4-lane ones on
// arm64), adds the lanes by the same halving tree and takes the last
// len%8 values one at a time; an axpy rounds each y[i] once per FMA.
// Fast (vec_amd64.go, vec_arm64.go) says whether this CPU runs them.

// dotAsm is dotPlain with 16 FMA lanes, as above; len(y) >= len(x).
//
//go:noescape
func dotAsm(x, y []float32) float32

// axpyAsm is axpyPlain with FMA; len(y) >= len(x).
//
//go:noescape
func axpyAsm(a float32, x, y []float32)

// dot4Asm sets y[r] = dotAsm(w[r·stride:][:n], x) for r < 4 with the
// same bits.
//
//go:noescape
func dot4Asm(y, w, x *float32, n, stride int)

// axpy4Asm does axpyAsm(a[r], w[r·stride:][:n], y) for r = 0..3 in turn,
// with the same bits.
//
//go:noescape
func axpy4Asm(y *float32, n int, a, w *float32, stride int)

// dots4 is four rows' dots at once, where the CPU runs the kernel: it sets
// y[j] = dot(w[j·stride:][:len(x)], x) for j < len(y)/4·4 and returns how
// many rows it did. The caller has checked that w holds the rows.
func dots4(y, w, x []float32, stride int) int {
	n, rows := len(x), len(y)&^3
	if !Fast || n == 0 || rows == 0 {
		return 0
	}
	_ = w[(rows-1)*stride+n-1]
	for j := 0; j < rows; j += 4 {
		dot4Asm(&y[j], &w[j*stride], &x[0], n, stride)
	}
	return rows
}

// axpys4 is four rows' axpys at once, where the CPU runs the kernel: y +=
// a[j]·w[j·stride:][:len(y)] for j < len(a)/4·4 in order; it returns how
// many rows it did. The caller has checked that w holds the rows.
func axpys4(y, a, w []float32, stride int) int {
	n, rows := len(y), len(a)&^3
	if !Fast || n == 0 || rows == 0 {
		return 0
	}
	_ = w[(rows-1)*stride+n-1]
	for j := 0; j < rows; j += 4 {
		axpy4Asm(&y[0], n, &a[j], &w[j*stride], stride)
	}
	return rows
}

func dot(x, y []float32) float32 {
	if Fast {
		return dotAsm(x, y)
	}
	return dotPlain(x, y)
}

func axpy(a float32, x, y []float32) {
	if Fast {
		axpyAsm(a, x, y)
		return
	}
	axpyPlain(a, x, y)
}
