package exp32

import (
	"math"

	"golang.org/x/sys/cpu"
)

// hasAVX2 says whether the assembly runs (the CPU has AVX2).
var hasAVX2 = cpu.X86.HasAVX2

// consts holds the constants of the Go code, each repeated 8 times for
// 256-bit loads, in the order kernels_amd64.s reads them (constant i at
// byte 32·i); they are the same float32 values the Go code uses, so both
// give the same bits.
var consts = func() (v [21 * 8]float32) {
	c := [21]float32{
		expMin, expMax, log2e, round, ln2Hi, ln2Lo,
		expC0, expC1, expC2, expC3, expC4, expC5,
		1, math.Float32frombits(bias),
		0.044715, scale, 3 * 0.044715, 0.5, 2,
		float32(math.Inf(-1)), float32(math.Copysign(0, -1)),
	}
	for i, x := range c {
		for l := range 8 {
			v[8*i+l] = x
		}
	}
	return v
}()

// tailMask: the 8 words from word 8 − k on have k all-ones lanes first, the
// masks of VMASKMOVPS for the last k < 8 elements of a row.
var tailMask = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// geluForwardVec runs GELUForwardGo on the largest multiple of 8
// elements of x with AVX2 and returns how many it did (0 without AVX2).
func geluForwardVec(y, s, x []float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = y[n-1]
	var sp *float32
	if s != nil {
		_ = s[n-1]
		sp = &s[0]
	}
	geluForwardAVX2(&y[0], sp, &x[0], n)
	return n
}

// geluBackwardVec runs GELUBackwardGo on the largest multiple of 8
// elements of x with AVX2 and returns how many it did (0 without AVX2).
func geluBackwardVec(dx, dy, x, s []float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = dx[n-1], dy[n-1], s[n-1]
	geluBackwardAVX2(&dx[0], &dy[0], &x[0], &s[0], n)
	return n
}

// swigluForwardVec runs SwiGLUForwardGo on the largest multiple of 8
// elements of a with AVX2 and returns how many it did (0 without AVX2).
func swigluForwardVec(y, a, u []float32) int {
	n := len(a) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _ = y[n-1], u[n-1]
	swigluForwardAVX2(&y[0], &a[0], &u[0], n)
	return n
}

// swigluBackwardVec runs SwiGLUBackwardGo on the largest multiple of 8
// elements of a with AVX2 and returns how many it did (0 without AVX2).
func swigluBackwardVec(da, du, dy, a, u []float32) int {
	n := len(a) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _, _ = da[n-1], du[n-1], dy[n-1], u[n-1]
	swigluBackwardAVX2(&da[0], &du[0], &dy[0], &a[0], &u[0], n)
	return n
}

// maxVec is maxGo with AVX2 (false without AVX2: nothing done).
func maxVec(z []float32) (float32, bool) {
	if !hasAVX2 {
		return 0, false
	}
	if len(z) == 0 {
		return float32(math.Inf(-1)), true
	}
	return maxAVX2(&z[0], len(z)), true
}

// scaleVec is scaleGo with AVX2 (false without AVX2: nothing done).
func scaleVec(p []float32, inv float64) bool {
	if !hasAVX2 {
		return false
	}
	if len(p) > 0 {
		scaleAVX2(&p[0], len(p), inv)
	}
	return true
}

// expSumVec is expSumGo with AVX2, the whole row (false without AVX2:
// nothing done).
func expSumVec(p, z []float32, m float32, acc *[8]float64) bool {
	if !hasAVX2 {
		return false
	}
	if len(z) > 0 {
		_ = p[len(z)-1]
		expSumAVX2(&p[0], &z[0], len(z), m, acc)
	}
	return true
}

// subScaleVec is subScaleGo with AVX2 (false without AVX2: nothing
// done).
func subScaleVec(p, d []float32, dot float64) bool {
	if !hasAVX2 {
		return false
	}
	if len(p) > 0 {
		_ = d[len(p)-1]
		subScaleAVX2(&p[0], &d[0], len(p), dot)
	}
	return true
}

// dotVec is dotGo with AVX2, the whole row (false without AVX2: nothing
// done).
func dotVec(p, d []float32, acc *[8]float64) bool {
	if !hasAVX2 {
		return false
	}
	if len(p) > 0 {
		_ = d[len(p)-1]
		dotAVX2(&p[0], &d[0], len(p), acc)
	}
	return true
}

// geluForwardAVX2: GELUForwardGo on x[:n], n a multiple of 8 (s nil: not
// kept).
//
//go:noescape
func geluForwardAVX2(y, s, x *float32, n int)

// geluBackwardAVX2: GELUBackwardGo on x[:n], n a multiple of 8.
//
//go:noescape
func geluBackwardAVX2(dx, dy, x, s *float32, n int)

// maxAVX2 is maxGo on z[:n], n > 0.
//
//go:noescape
func maxAVX2(z *float32, n int) float32

// scaleAVX2 is scaleGo on p[:n].
//
//go:noescape
func scaleAVX2(p *float32, n int, inv float64)

// expSumAVX2 is expSumGo on z[:n] (any n, the last n mod 8 by masked
// loads and stores).
//
//go:noescape
func expSumAVX2(p, z *float32, n int, m float32, acc *[8]float64)

// dotAVX2 is dotGo on p[:n] (any n, the last n mod 8 by masked loads).
//
//go:noescape
func dotAVX2(p, d *float32, n int, acc *[8]float64)

// subScaleAVX2 is subScaleGo on p[:n] (any n, the last n mod 8 by masked
// loads and stores).
//
//go:noescape
func subScaleAVX2(p, d *float32, n int, dot float64)

// swigluForwardAVX2: SwiGLUForwardGo on a[:n], n a multiple of 8.
//
//go:noescape
func swigluForwardAVX2(y, a, u *float32, n int)

// swigluBackwardAVX2: SwiGLUBackwardGo on a[:n], n a multiple of 8.
//
//go:noescape
func swigluBackwardAVX2(da, du, dy, a, u *float32, n int)
