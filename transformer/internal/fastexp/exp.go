// Package fastexp is eˣ as math.Exp computes it, without the branches for
// special cases, so that the compiler inlines it into the loops that call
// it for every element (GELU, softmax).
package fastexp

import "math"

// Exp(x) = eˣ within 4 ulp (TestExp measures it against math.Exp:
// at most 3.0 ulp on its grids; math.Exp itself is within 1)
// for x in [-708, 708]; x is clamped to that range first (so e⁷⁰⁸ ≈ 3·10³⁰⁷
// stands in for overflow and e⁻⁷⁰⁸ for underflow, both still normal
// numbers), and NaN stays NaN. It is math.Exp's algorithm without its
// branches for special cases (transformer/internal/gelu's forward_amd64.s does
// the same operations four at a time): eˣ = 2ⁿ·eʳ with n = round(x/ln 2), r = x − n·ln 2, |r| ≤ ½ln 2,
// and eʳ by its Taylor series to r¹³ (truncation error < 5·10⁻¹⁸).
func Exp(x float64) float64 {
	const (
		log2e = 1.44269504088896338700e+00
		ln2Hi = 6.93147180369123816490e-01 // ln 2 in its top 32 bits: n·ln2Hi is exact
		ln2Lo = 1.90821492927058770002e-10 // ln 2 − ln2Hi
		round = 0x1.8p52                   // adding and subtracting it rounds to an integer
	)
	x = min(max(x, -708), 708)
	n := (x*log2e + round) - round
	r := (x - n*ln2Hi) - n*ln2Lo
	// eʳ = Σ rⁱ/i!, i = 0..13, by Estrin's scheme: pairs c·r + c', then
	// pairs of pairs with r², r⁴, r⁸. The same sum as Horner's rule but a
	// dependency chain of 5 multiply-adds instead of 13, so the CPU overlaps
	// the work of neighbouring elements (Horner here is latency-bound and no
	// faster than math.Exp).
	r2 := r * r
	r4 := r2 * r2
	r8 := r4 * r4
	p01 := 1 + r
	p23 := 1.0/2 + r*(1.0/6)
	p45 := 1.0/24 + r*(1.0/120)
	p67 := 1.0/720 + r*(1.0/5040)
	p89 := 1.0/40320 + r*(1.0/362880)
	p1011 := 1.0/3628800 + r*(1.0/39916800)
	p1213 := 1.0/479001600 + r*(1.0/6227020800)
	p03 := p01 + r2*p23
	p47 := p45 + r2*p67
	p811 := p89 + r2*p1011
	p813 := p811 + r4*p1213
	p := p03 + r4*p47 + r8*p813
	return p * math.Float64frombits(uint64(int64(n)+1023)<<52)
}
