package gelu

import (
	"math"

	"golang.org/x/sys/cpu"
)

// hasAVX2 says whether forwardVec runs (the CPU has AVX2).
var hasAVX2 = cpu.X86.HasAVX2

// consts holds the constants of ForwardGo and Exp, each repeated 4
// times for 256-bit loads, in the order gelu_amd64.s reads them; they are
// the same float64 values the Go code uses, so both give the same bits.
var consts = func() (v [23 * 4]float64) {
	const round = 0x1.8p52
	c := [23]float64{
		0.044715, Scale, -2, 1, -708, 708,
		1.44269504088896338700e+00, round, 6.93147180369123816490e-01, 1.90821492927058770002e-10,
		1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
		1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800,
		// 1023 − bits(round): added to bits(x·log2e + round) it gives n + 1023.
		math.Float64frombits(uint64(1023 - int64(math.Float64bits(round)))),
	}
	for i, x := range c {
		v[4*i], v[4*i+1], v[4*i+2], v[4*i+3] = x, x, x, x
	}
	return v
}()

// forwardVec runs Forward on the largest multiple of 4 elements of
// x with AVX2 and returns how many it did (0 without AVX2).
func forwardVec(y, s, x []float64) int {
	n := len(x) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = y[n-1]
	var sp *float64
	if s != nil {
		_ = s[n-1]
		sp = &s[0]
	}
	forwardAVX2(&y[0], sp, &x[0], n)
	return n
}

// forwardAVX2: y[i] = x[i]·s[i], s[i] = σ(2u(x[i])) for i < n (n a
// multiple of 4; s nil: not kept).
//
//go:noescape
func forwardAVX2(y, s, x *float64, n int)
