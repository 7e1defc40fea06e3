// Package vec holds the float32 vector kernels generation runs on: the dot
// product, y += a·x, the two matrix-vector products built from them, and
// their strided forms for attention (the dots of a query with one head's
// keys, the weighted sum of its values).
//
// Each kernel has a plain Go loop (dotPlain, axpyPlain), the reference to
// read first, and an assembly version that does the same arithmetic 16
// lanes at a time: on amd64 with AVX2 and FMA (vec_amd64.s), and on arm64
// with NEON (vec_arm64.s, for Apple laptops and ARM servers), the same
// operations in the same order, so both give the same bits (vec_asm.go).
// The exported functions pick the fast one when the CPU has it;
// vec_test.go checks that the two agree on every length from 0 to 300 and
// on unaligned slices. The row kernels take four rows at a time (dot4Asm,
// axpy4Asm), each row summed in the one-row kernel's order, so their bits
// are those of one Dot or Axpy per row; they are faster because four rows
// keep eight FMA chains in flight where one row keeps two, and four axpys
// load and store y once.
//
// Determinism: every output of MatVec and MatVecT is computed by one call
// on one row (or one column range) whose order of operations depends only
// on the data, never on which rows were computed with it, so a product
// split over any number of goroutines gives the same bits.
package vec

import "fmt"

// Dot returns Σ_i x[i]·y[i]. It panics if the lengths differ.
func Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("vec.Dot: lengths %d and %d differ", len(x), len(y)))
	}
	return dot(x, y)
}

// Axpy computes y[i] += a·x[i]. It panics if the lengths differ.
func Axpy(a float32, x, y []float32) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("vec.Axpy: lengths %d and %d differ", len(x), len(y)))
	}
	axpy(a, x, y)
}

// MatVec computes y = W·x for W (len(y) x len(x)) row-major in w:
// y[i] = Dot(W[i], x). Rows lo..hi of a larger product are
// MatVec(y[lo:hi], w[lo*n:hi*n], x). It panics if len(w) != len(y)·len(x).
func MatVec(y, w, x []float32) {
	n := len(x)
	if len(w) != len(y)*n {
		panic(fmt.Sprintf("vec.MatVec: %d weights for %d x %d", len(w), len(y), n))
	}
	dotRows(y, w, x, n) // each row's sum depends on its row and x only: the same bits however rows are split
}

// DotRows sets y[j] = Dot(x, w[j·stride:][:len(x)]) for each j: the dot
// products of x with len(y) rows stride apart (the keys of one attention
// head, say, interleaved with the other heads'). It panics if w does not
// hold the rows.
func DotRows(y, w, x []float32, stride int) {
	n := len(x)
	if len(y) > 0 && (stride < n || len(w) < (len(y)-1)*stride+n) {
		panic(fmt.Sprintf("vec.DotRows: %d rows of %d, %d apart, in %d weights", len(y), n, stride, len(w)))
	}
	dotRows(y, w, x, stride)
}

// dotRows is DotRows on checked arguments: four rows at a time where there
// is a kernel for it (the same bits as four dots), the rest one by one.
func dotRows(y, w, x []float32, stride int) {
	n := len(x)
	for j := dots4(y, w, x, stride); j < len(y); j++ {
		y[j] = dot(w[j*stride:j*stride+n], x)
	}
}

// AxpyRows computes y += Σ_j a[j]·w[j·stride:][:len(y)], one Axpy per row
// in the order j = 0, 1, ... (the weighted sum of one attention head's
// values). It panics if w does not hold the rows.
func AxpyRows(y, a, w []float32, stride int) {
	n := len(y)
	if len(a) > 0 && (stride < n || len(w) < (len(a)-1)*stride+n) {
		panic(fmt.Sprintf("vec.AxpyRows: %d rows of %d, %d apart, in %d weights", len(a), n, stride, len(w)))
	}
	axpyRows(y, a, w, stride)
}

// axpyRows is AxpyRows on checked arguments: four rows at a time where
// there is a kernel for it (the same bits as four axpys), the rest one by
// one.
func axpyRows(y, a, w []float32, stride int) {
	n := len(y)
	for j := axpys4(y, a, w, stride); j < len(a); j++ {
		axpy(a[j], w[j*stride:j*stride+n], y)
	}
}

// MatVecT computes y = Wᵀ·x for W (len(x) x cols) row-major in w, or only
// the columns lo..lo+len(y) of it: y[j] = Σ_i x[i]·W[i][lo+j], summed in
// the order i = 0, 1, ... (one Axpy per row of W). It panics if w is too
// short.
func MatVecT(y, w, x []float32, cols, lo int) {
	n := len(y)
	if lo < 0 || lo+n > cols || len(w) < (len(x)-1)*cols+lo+n {
		panic(fmt.Sprintf("vec.MatVecT: columns %d..%d of a %d x %d matrix in %d weights", lo, lo+n, len(x), cols, len(w)))
	}
	clear(y)
	if n > 0 && len(x) > 0 {
		axpyRows(y, x, w[lo:], cols) // one axpy per row of W, in order
	}
}

// dotPlain is Dot as a loop, the reference.
func dotPlain(x, y []float32) float32 {
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// axpyPlain is Axpy as a loop, the reference.
func axpyPlain(a float32, x, y []float32) {
	for i, v := range x {
		y[i] += a * v
	}
}

// Kernels names the kernels Dot and Axpy run on this machine, for reports.
func Kernels() string {
	if Fast {
		return asmName
	}
	return "plain Go"
}
