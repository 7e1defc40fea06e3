package gelu

import (
	"github.com/tick-llm/tick/internal/fusion"
	"math"
	"math/rand/v2"
	"testing"
)

// ulps is |got − want| in units of the last place of want.
func ulps(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
}

// TestGELUTanh: the s = ½(1 + tanh u) Forward keeps agrees with
// math.Tanh over a dense range of x including large |x|: tanh u = 2s − 1
// within 2 ulp of 1 (4.4·10⁻¹⁶) absolutely; where 1 + tanh u is well
// conditioned (u ≥ 0) s is within 2 ulp of ½(1 + math.Tanh(u)); and s and
// y are within 6 ulp of σ(2u) and x·σ(2u) on math.Exp everywhere (where
// σ(2u) is not below 10⁻³⁰⁰: there both are zero for all purposes).
func TestGELUTanh(t *testing.T) {
	var xs []float64
	for x := -60.0; x <= 60; x += 0.00037 {
		xs = append(xs, x)
	}
	xs = append(xs, -1e6, -1e3, -100, 100, 1e3, 1e6, 0, math.SmallestNonzeroFloat64, -1e-300)
	y, s := make([]float64, len(xs)), make([]float64, len(xs))
	Forward(y, s, xs)
	var worstTanh, worstHalf, worstS, worstY float64
	for i, x := range xs {
		u := Scale * (x + 0.044715*x*x*x)
		th := math.Tanh(u)
		worstTanh = max(worstTanh, math.Abs((2*s[i]-1)-th))
		if u >= 0 {
			worstHalf = max(worstHalf, ulps(s[i], 0.5*(1+th)))
		}
		sig := 1 / (1 + math.Exp(-2*u))
		if sig < 1e-300 {
			if s[i] > 1e-300 {
				t.Errorf("x = %g: s = %g, want below 1e-300 (σ(2u) = %g)", x, s[i], sig)
			}
			continue
		}
		// An ulp of u moves σ(2u) by |2u|(1 − σ) in relative terms; the
		// test's u and Forward's may differ in that ulp when the
		// compiler fuses multiply-adds (GOAMD64=v3) in one and not the other.
		slack := 0.0
		if fusion.GoFuses {
			slack = 4 * math.Abs(2*u) * (1 - sig) // 4 ulp of u
		}
		worstS = max(worstS, ulps(s[i], sig)-slack)
		worstY = max(worstY, ulps(y[i], x*sig)-slack)
	}
	t.Logf("tanh u = 2s−1: max abs error %.2g; s vs ½(1+tanh u), u ≥ 0: %.2f ulp; s vs σ(2u): %.2f ulp; y: %.2f ulp", worstTanh, worstHalf, worstS, worstY)
	if eps := math.Nextafter(1, 2) - 1; worstTanh > 2*eps || worstHalf > 2 || worstS > 6 || worstY > 6 {
		t.Fatalf("too far from math.Tanh/math.Exp: %.3g abs (want ≤ %.3g), %.2f, %.2f, %.2f ulp (want ≤ 2, 6, 6)", worstTanh, 2*eps, worstHalf, worstS, worstY)
	}
}

// forwardMathExp is ForwardGo on math.Exp, the speed reference.
func forwardMathExp(y, s, x []float64) {
	for i, v := range x {
		u := Scale * (v + 0.044715*v*v*v)
		si := 1 / (1 + math.Exp(-2*u))
		y[i] = v * si
		s[i] = si
	}
}

// BenchmarkForward: Forward (vector), ForwardGo (Exp, one
// at a time) and math.Exp on one layer's activations (B·T·F = 768·512), in
// the same run.
func BenchmarkForward(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 768*512)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y, s := make([]float64, len(x)), make([]float64, len(x))
	for _, bc := range []struct {
		name string
		f    func(y, s, x []float64)
	}{{"vector", Forward}, {"Exp", ForwardGo}, {"math.Exp", forwardMathExp}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.f(y, s, x)
			}
			b.ReportMetric(float64(len(x)*b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
		})
	}
}

// TestGELUVectorMatchesGo: Forward (4 at a time in assembly where the
// CPU has AVX2) gives the bits of ForwardGo, the plain loop, for every
// length (the tails), with s kept or not, on a dense range with large |x|,
// ±Inf and NaN. (A build with GOAMD64=v3 lets the Go compiler fuse
// multiply-adds in ForwardGo; the assembly never does, so there the
// two may differ in the last bits: that build is checked to within 8 ulp
// plus the conditioning of σ(2u) in u.)
func TestGELUVectorMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Log("no vector GELU on this CPU: Forward is ForwardGo")
	}
	var x []float64
	for v := -40.0; v <= 40; v += 0.0131 {
		x = append(x, v)
	}
	x = append(x, math.Inf(1), math.Inf(-1), math.NaN(), -1e300, 1e300, 0, math.Copysign(0, -1), 5e-324, 1e-10)
	for n := range 10 {
		for _, keep := range []bool{true, false} {
			in := x[:len(x)-n]
			y, s := make([]float64, len(in)), make([]float64, len(in))
			wantY, wantS := make([]float64, len(in)), make([]float64, len(in))
			sArg := s
			if !keep {
				sArg = nil
			}
			Forward(y, sArg, in)
			ForwardGo(wantY, wantS, in)
			for i := range in {
				if !sameOrUlp(in[i], y[i], wantY[i], wantS[i]) || keep && !sameOrUlp(in[i], s[i], wantS[i], wantS[i]) {
					t.Fatalf("len %d, x = %g: y %v s %v, Go gives y %v s %v", len(in), in[i], y[i], s[i], wantY[i], wantS[i])
				}
			}
		}
	}
}

// sameOrUlp: the same bits (NaN matching NaN), or, when the Go code may
// have fused multiply-adds (GOAMD64=v3) in u and in Exp, within 8 ulp
// plus what 4 ulp of u(x) move σ(2u) (relatively |2u|(1 − s) each).
func sameOrUlp(x, got, want, s float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) == math.IsNaN(want)
	}
	if math.Float64bits(got) == math.Float64bits(want) {
		return true
	}
	u := Scale * (x + 0.044715*x*x*x)
	return fusion.GoFuses && ulps(got, want) <= 8+4*math.Abs(2*u)*(1-s)
}
