package vec

import "golang.org/x/sys/cpu"

// Fast reports whether the kernels run in AVX2+FMA assembly (otherwise the
// plain Go loops). It is set from the CPU at start-up; a test may turn it
// off to run the plain loops.
var Fast = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotAVX2 is dotPlain with two 8-lane FMA accumulators (vec_amd64.s);
// len(y) >= len(x).
//
//go:noescape
func dotAVX2(x, y []float32) float32

// axpyAVX2 is axpyPlain with FMA, 32 values a step (vec_amd64.s); len(y)
// >= len(x).
//
//go:noescape
func axpyAVX2(a float32, x, y []float32)

// dot4AVX2 sets y[r] = dotAVX2(w[r·stride:][:n], x) for r < 4 with the
// same bits (vec_amd64.s).
//
//go:noescape
func dot4AVX2(y, w, x *float32, n, stride int)

// axpy4AVX2 does axpyAVX2(a[r], w[r·stride:][:n], y) for r = 0..3 in turn,
// with the same bits (vec_amd64.s).
//
//go:noescape
func axpy4AVX2(y *float32, n int, a, w *float32, stride int)

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
		dot4AVX2(&y[j], &w[j*stride], &x[0], n, stride)
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
		axpy4AVX2(&y[0], n, &a[j], &w[j*stride], stride)
	}
	return rows
}

func dot(x, y []float32) float32 {
	if Fast {
		return dotAVX2(x, y)
	}
	return dotPlain(x, y)
}

func axpy(a float32, x, y []float32) {
	if Fast {
		axpyAVX2(a, x, y)
		return
	}
	axpyPlain(a, x, y)
}
