// Package vec holds the float32 vector kernels generation runs on: the dot
// product, y += a·x, and the two matrix-vector products built from them.
//
// Each kernel has a plain Go loop (dotPlain, axpyPlain), the reference to
// read first, and on amd64 with AVX2 and FMA an assembly version that does
// the same arithmetic eight lanes at a time (vec_amd64.s). The exported
// functions pick the fast one when the CPU has it; vec_test.go checks that
// the two agree on every length from 0 to 300 and on unaligned slices.
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
	for i := range y {
		y[i] = dot(w[i*n:(i+1)*n], x) // one row, one dot: the same bits however rows are split
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
	for i, xi := range x {
		axpy(xi, w[i*cols+lo:i*cols+lo+n], y)
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
		return "AVX2+FMA assembly"
	}
	return "plain Go"
}
