// Package exp32 holds the float32 element-wise kernels of training: the
// exponential eˣ, GPT-2's GELU and Llama's SwiGLU forward and backward,
// and a softmax row forward (exponentials, their sum) and backward
// (p⊙(d − Σ p⊙d)). Each has a plain Go loop (the names ending in Go), the
// reference to read first, and on CPUs with AVX2 the same operations in
// the same order eight lanes at a time in Go assembly (kernels_amd64.s),
// which a package using cgo (transformer with the openblas tag) cannot hold
// itself. The exported functions without the suffix pick the fast one;
// exp32_test.go checks the two give the same bits.
//
// Sums stay float64, as the house rule for softmax sums says: a row's sum
// goes into eight float64 lanes, element j into lane j mod 8, and the
// lanes are added in one fixed order (sum8), so it is a function of the
// data only, whichever code ran.
package exp32

import (
	"math"

	"github.com/tick-llm/tick/transformer/internal/gelu"
)

// The constants of Exp.
const (
	expMin = -87 // e⁻⁸⁷ ≈ 1.6·10⁻³⁸ is still a normal float32
	expMax = 87  // e⁸⁷ ≈ 6.1·10³⁷ is finite, and 1/(1 + e⁸⁷) still normal
	log2e  = 1.44269504088896338700
	ln2Hi  = 0.693359375     // ln 2 in 9 bits: n·ln2Hi is exact for |n| < 2¹⁵
	ln2Lo  = -2.12194440e-4  // ln 2 − ln2Hi
	round  = 0x1.8p23        // adding and subtracting it rounds a float32 to an integer
	bias   = 0xb4c0007f      // 127 − bits(round) mod 2³²: bits(t) + bias = n + 127
	expC0  = 1.9875691500e-4 // the polynomial of eʳ = 1 + r + r²·(c5 + c4·r + … + c0·r⁵)
	expC1  = 1.3981999507e-3 // (Cephes' expf), within a float32 rounding of eʳ
	expC2  = 8.3334519073e-3 // for |r| ≤ ½ln 2
	expC3  = 4.1665795894e-2
	expC4  = 1.6666665459e-1
	expC5  = 5.0000001201e-1
)

// Exp(x) = eˣ within 1 ulp of float32 (TestExpUlp measures it against
// math.Exp: 0.99 ulp at most) for x in [−87, 87]; x is clamped to that
// range first, so e⁸⁷ ≈ 6.1·10³⁷ stands in for overflow (+Inf included)
// and e⁻⁸⁷ ≈ 1.6·10⁻³⁸ for underflow (−Inf included), both still normal
// numbers; NaN stays NaN. eˣ = 2ⁿ·eʳ with n = round(x·log2 e), r = x −
// n·ln 2 in two parts (Cody and Waite: n·ln2Hi is exact, so r is
// accurate), |r| ≤ ½ln 2, and eʳ by a degree-7 polynomial; 2ⁿ is built
// from n's bits. No multiply-add is fused, so the assembly gives the same
// bits.
func Exp(x float32) float32 {
	x = min(max(x, expMin), expMax)
	t := x*log2e + round // round(x·log2e) + round, exactly
	n := t - round
	r := (x - n*ln2Hi) - n*ln2Lo
	p := expC0*r + expC1
	p = p*r + expC2
	p = p*r + expC3
	p = p*r + expC4
	p = p*r + expC5
	p = p*(r*r) + r + 1
	// bits(t) − bits(round) = n, the mantissa's low bits; n + 127 shifted
	// into the exponent field is 2ⁿ.
	return p * math.Float32frombits((math.Float32bits(t)+bias)<<23)
}

// scale is √(2/π) in float32, u = scale·(x + 0.044715x³).
var scale = float32(gelu.Scale)

// GELUForward is GELUForwardGo, whole groups of 8 in assembly where the
// CPU has AVX2, the rest in Go.
func GELUForward(y, s, x []float32) {
	n := geluForwardVec(y, s, x)
	if s != nil {
		s = s[n:]
	}
	GELUForwardGo(y[n:], s, x[n:])
}

// GELUForwardGo sets y = x·s with s = σ(2u) = ½(1 + tanh u), u =
// √(2/π)·(x + 0.044715x³), as gelu.ForwardGo in float32, s kept (nil: not
// kept). Where σ(2u) is below float32's range (x < −9.5), s is 1.6·10⁻³⁸
// (from the clamped exponential) and y = x·s, zero for all purposes (but
// not quite 0 for x < −10³⁰), as gelu's float64 code gives s = 3·10⁻³⁰⁸.
func GELUForwardGo(y, s, x []float32) {
	for i, v := range x {
		u := scale * (v + 0.044715*v*v*v)
		si := 1 / (1 + Exp(-2*u))
		y[i] = v * si
		if s != nil {
			s[i] = si
		}
	}
}

// GELUBackward is GELUBackwardGo, whole groups of 8 in assembly where
// the CPU has AVX2, the rest in Go.
func GELUBackward(dx, dy, x, s []float32) {
	n := geluBackwardVec(dx, dy, x, s)
	GELUBackwardGo(dx[n:], dy[n:], x[n:], s[n:])
}

// GELUBackwardGo adds dx += dy·(s + ½x(1 − tanh²u)·du/dx), tanh u = 2s − 1,
// du/dx = √(2/π)(1 + 3·0.044715x²), with s = σ(2u) from GELUForward.
func GELUBackwardGo(dx, dy, x, s []float32) {
	for i, v := range x {
		th := 2*s[i] - 1
		du := scale * (1 + 3*0.044715*v*v)
		dx[i] += dy[i] * (s[i] + 0.5*v*(1-th*th)*du)
	}
}

// Softmax is SoftmaxGo with its three passes over the row (maximum,
// exponentials and their sum, scaling) in assembly where the CPU has AVX2.
func Softmax(p, z []float32) (m, s float64) { return softmax(p, z, true) }

// SoftmaxGo writes p = softmax(z) (p may be z) and returns the maximum m
// of z and the sum s of the exponentials e_j = Exp(z_j − m) (float32, in
// (0, 1]) in float64: log Σ exp(z) = m + log s. p_j = e_j·(1/s), the
// product in float64 rounded once. The sum runs over eight lanes (sum8).
// z_j − m is rounded to float32, which moves p_j by at most 2⁻²⁴|z_j − m|
// relatively: only where z_j ≪ m, p_j tiny (TestSoftmaxAccuracy).
func SoftmaxGo(p, z []float32) (m, s float64) { return softmax(p, z, false) }

// softmax is SoftmaxGo, its passes in assembly if vector (and the CPU
// has AVX2).
func softmax(p, z []float32, vector bool) (m, s float64) {
	p = p[:len(z)]
	mx, ok := maxVec(z)
	if !vector || !ok {
		mx = maxGo(z)
	}
	var acc [8]float64
	if !vector || !expSumVec(p, z, mx, &acc) {
		expSumGo(p, z, mx, &acc)
	}
	s = sum8(&acc)
	if inv := 1 / s; !vector || !scaleVec(p, inv) {
		scaleGo(p, inv)
	}
	return float64(mx), s
}

// maxGo is the maximum of z (−Inf if empty), NaN never taken.
func maxGo(z []float32) float32 {
	m := float32(math.Inf(-1))
	for _, x := range z {
		if x > m {
			m = x
		}
	}
	return m
}

// scaleGo sets p_j = p_j·inv in float64, rounded to float32 once.
func scaleGo(p []float32, inv float64) {
	for j, e := range p {
		p[j] = float32(float64(e) * inv)
	}
}

// expSumGo sets p_j = Exp(z_j − m) and adds it (in float64) into lane j
// mod 8 of acc.
func expSumGo(p, z []float32, m float32, acc *[8]float64) {
	for j, x := range z {
		e := Exp(x - m)
		p[j] = e
		acc[j%8] += float64(e)
	}
}

// SoftmaxBackward is SoftmaxBackwardGo with its two passes over the row
// (the sum, the update) in assembly where the CPU has AVX2.
func SoftmaxBackward(p, d []float32) { softmaxBackward(p, d, true) }

// SoftmaxBackwardGo is the backward of a softmax row p in place on its
// gradient d: d_j = p_j·(d_j − Σ_k p_k·d_k), the sum of the (exact)
// float64 products over eight lanes (sum8), the rest in float64 rounded
// once.
func SoftmaxBackwardGo(p, d []float32) { softmaxBackward(p, d, false) }

// softmaxBackward is SoftmaxBackwardGo, its passes in assembly if vector
// (and the CPU has AVX2).
func softmaxBackward(p, d []float32, vector bool) {
	var acc [8]float64
	if !vector || !dotVec(p, d, &acc) {
		dotGo(p, d, &acc)
	}
	if dot := sum8(&acc); !vector || !subScaleVec(p, d, dot) {
		subScaleGo(p, d, dot)
	}
}

// subScaleGo sets d_j = p_j·(d_j − dot) in float64, rounded to float32
// once.
func subScaleGo(p, d []float32, dot float64) {
	for j, pv := range p {
		d[j] = float32(float64(pv) * (float64(d[j]) - dot))
	}
}

// dotGo adds float64(p_j)·float64(d_j), exact, into lane j mod 8 of acc.
func dotGo(p, d []float32, acc *[8]float64) {
	for j, pv := range p {
		acc[j%8] += float64(pv) * float64(d[j])
	}
}

// SwiGLUForward is SwiGLUForwardGo, whole groups of 8 in assembly where
// the CPU has AVX2, the rest in Go.
func SwiGLUForward(y, a, u []float32) {
	n := swigluForwardVec(y, a, u)
	SwiGLUForwardGo(y[n:], a[n:], u[n:])
}

// SwiGLUForwardGo sets y = silu(a)·u = a·σ(a)·u (Llama's MLP), σ(a) =
// 1/(1 + Exp(−a)) in float32. Where σ(a) is below float32's range (a <
// −87) it is 1.6·10⁻³⁸ (the clamped exponential), zero for all purposes.
func SwiGLUForwardGo(y, a, u []float32) {
	for i, v := range a {
		s := 1 / (1 + Exp(-v))
		y[i] = v * s * u[i]
	}
}

// SwiGLUBackward is SwiGLUBackwardGo, whole groups of 8 in assembly where
// the CPU has AVX2, the rest in Go.
func SwiGLUBackward(da, du, dy, a, u []float32) {
	n := swigluBackwardVec(da, du, dy, a, u)
	SwiGLUBackwardGo(da[n:], du[n:], dy[n:], a[n:], u[n:])
}

// SwiGLUBackwardGo adds da += dy·u·σ(a)(1 + a(1 − σ(a))) and du +=
// dy·a·σ(a), σ(a) computed again as in SwiGLUForwardGo.
func SwiGLUBackwardGo(da, du, dy, a, u []float32) {
	for i, v := range a {
		s := 1 / (1 + Exp(-v))
		d := dy[i]
		da[i] += d * u[i] * s * (1 + v*(1-s))
		du[i] += d * v * s
	}
}

// sum8 adds the eight lanes in one fixed order, pairwise: lanes j and j+4
// first (what a 4-lane float64 register holds), then (0, 2) and (1, 3),
// then the two.
func sum8(a *[8]float64) float64 {
	return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}
