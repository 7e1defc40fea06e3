package exp32

import (
	"github.com/tick-llm/tick/internal/fusion"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/transformer/internal/gelu"
)

// ulps32 is |got − want| (want exact, in float64) in float32 units of the
// last place of want rounded to float32.
func ulps32(got float32, want float64) float64 {
	g := float64(got)
	if g == want {
		return 0
	}
	w := math.Abs(float64(float32(want)))
	ulp := float64(math.Nextafter32(float32(w), float32(math.Inf(1)))) - w
	return math.Abs(g-want) / ulp
}

// TestExpUlp: Exp is within 1 ulp of eˣ (math.Exp in float64) on every
// 4099th float32 of [−87, 87] and on a grid of step 10⁻⁴ (measured: 0.99
// ulp at most, also on every 97th float32).
func TestExpUlp(t *testing.T) {
	worst, at := 0.0, float32(0)
	check := func(x float32) {
		if e := ulps32(Exp(x), math.Exp(float64(x))); e > worst {
			worst, at = e, x
		}
	}
	for b := uint64(0); b < 1<<32; b += 4099 {
		if x := math.Float32frombits(uint32(b)); x >= expMin && x <= expMax {
			check(x)
		}
	}
	for x := -87.0; x <= 87; x += 1e-4 {
		check(float32(x))
	}
	bound := 1.0
	if fusion.GoFuses {
		bound = 1.1 // the Go compiler's fused multiply-adds (GOAMD64=v3) round differently: 1.003 measured
	}
	t.Logf("Exp: at most %.3f ulp (x = %g)", worst, at)
	if worst > bound {
		t.Fatalf("Exp(%g) is %.3f ulp from math.Exp, want ≤ %g", at, worst, bound)
	}
}

// TestExpSpecial: the clamp stands in for overflow and underflow, ±Inf
// included, and NaN stays NaN.
func TestExpSpecial(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {float32(math.Copysign(0, -1)), 1},
		{inf, Exp(expMax)}, {1e30, Exp(expMax)}, {88, Exp(expMax)},
		{-inf, Exp(expMin)}, {-1e30, Exp(expMin)}, {-100, Exp(expMin)},
	} {
		if got := Exp(c.x); got != c.want {
			t.Errorf("Exp(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if e := Exp(expMax); e < 6e37 || e > 6.2e37 || 1/(1+e) < 0x1p-126 {
		t.Errorf("Exp(87) = %g, want 6.1e37, its 1/(1 + e) a normal float32", e)
	}
	if e := Exp(expMin); e < math.SmallestNonzeroFloat32*(1<<23) || e > 2e-38 {
		t.Errorf("Exp(−87) = %g, want a normal float32 near 1.6e-38", e)
	}
	if e := Exp(float32(math.NaN())); !math.IsNaN(float64(e)) {
		t.Errorf("Exp(NaN) = %g, want NaN", e)
	}
}

// inputs is a dense range with large |x|, ±0, ±Inf and NaN, shuffled so
// every length and start sees a mix.
func inputs(lo, hi, step float64) []float32 {
	var x []float32
	for v := lo; v <= hi; v += step {
		x = append(x, float32(v))
	}
	inf := math.Inf(1)
	for _, v := range []float64{inf, -inf, math.NaN(), 1e30, -1e30, 3e38, -3e38, 0, math.Copysign(0, -1), 1e-40, -1e-10, 100, -100} {
		x = append(x, float32(v))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(x), func(i, j int) { x[i], x[j] = x[j], x[i] })
	return x
}

// same: the same bits, or both NaN.
func same(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// same64 is same for float64.
func same64(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b
}

// vectorCases runs f on every length 0..300 at starts 0..7 of the
// inputs (unaligned slices), skipping under GOAMD64=v3, where the Go loops
// may fuse multiply-adds and the assembly never does.
func vectorCases(t *testing.T, f func(x []float32)) {
	if fusion.GoFuses {
		t.Skip("GOAMD64=v3: the Go loops may fuse multiply-adds, the assembly does not")
	}
	if !hasAVX2 {
		t.Log("no AVX2 on this CPU: the vector functions are the Go loops")
	}
	x := inputs(-30, 30, 0.0173)
	for start := range 8 {
		for n := 0; n <= 300; n++ {
			f(x[start : start+n])
		}
	}
}

// TestGELUVectorMatchesGo: GELUForward and GELUBackward give the bits of
// the Go loops, s kept or not.
func TestGELUVectorMatchesGo(t *testing.T) {
	vectorCases(t, func(x []float32) {
		n := len(x)
		y, s, wy, ws := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		GELUForward(y, s, x)
		GELUForwardGo(wy, ws, x)
		y2 := make([]float32, n)
		GELUForward(y2, nil, x)
		for i := range x {
			if !same(y[i], wy[i]) || !same(s[i], ws[i]) || !same(y2[i], wy[i]) {
				t.Fatalf("len %d, x = %g: y %g (s not kept %g), s %g; Go: %g, %g", n, x[i], y[i], y2[i], s[i], wy[i], ws[i])
			}
		}
		dx, wdx := make([]float32, n), make([]float32, n)
		for i := range dx {
			dx[i] = float32(i%7) - 3
			wdx[i] = dx[i]
		}
		dy := x[:n:n] // any numbers
		GELUBackward(dx, dy, x, ws)
		GELUBackwardGo(wdx, dy, x, ws)
		for i := range x {
			if !same(dx[i], wdx[i]) {
				t.Fatalf("len %d, x = %g: dx %g, Go %g", n, x[i], dx[i], wdx[i])
			}
		}
	})
}

// TestSwiGLUVectorMatchesGo: SwiGLUForward and SwiGLUBackward give the
// bits of the Go loops.
func TestSwiGLUVectorMatchesGo(t *testing.T) {
	vectorCases(t, func(a []float32) {
		n := len(a)
		u := make([]float32, n)
		for i := range u {
			u[i] = float32(i%9) - 4.5
		}
		y, wy := make([]float32, n), make([]float32, n)
		SwiGLUForward(y, a, u)
		SwiGLUForwardGo(wy, a, u)
		da, du, wda, wdu := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range da {
			da[i], du[i] = float32(i%7)-3, float32(i%3)-1
			wda[i], wdu[i] = da[i], du[i]
		}
		dy := wy[:n:n] // any numbers
		SwiGLUBackward(da, du, dy, a, u)
		SwiGLUBackwardGo(wda, wdu, dy, a, u)
		for i := range a {
			if !same(y[i], wy[i]) || !same(da[i], wda[i]) || !same(du[i], wdu[i]) {
				t.Fatalf("len %d, a = %g: y %g da %g du %g; Go: %g %g %g", n, a[i], y[i], da[i], du[i], wy[i], wda[i], wdu[i])
			}
		}
	})
}

// TestSiLUAccuracy: a·σ(a) of SwiGLUForward (u = 1) in float32 against
// math.Exp in float64: within 3 ulp of float32 (measured 2.46) where σ(a)
// is in float32's range (a ≥ −87), and zero for all purposes below.
func TestSiLUAccuracy(t *testing.T) {
	a := inputs(-90, 90, 0.0007)
	one := make([]float32, len(a))
	for i := range one {
		one[i] = 1
	}
	y := make([]float32, len(a))
	SwiGLUForward(y, a, one)
	worst := 0.0
	for i, v := range a {
		x := float64(v)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		want := x / (1 + math.Exp(-x))
		if x < -87 {
			if math.Abs(float64(y[i])) > 2e-38*math.Abs(x) {
				t.Errorf("silu(%g) = %g, want ≈ 0", x, y[i])
			}
			continue
		}
		worst = max(worst, ulps32(y[i], want))
	}
	t.Logf("silu float32: %.2f ulp", worst)
	if worst > 3 {
		t.Fatalf("silu float32 %.2f ulp from math.Exp's, want ≤ 3", worst)
	}
}

// TestSoftmaxVectorMatchesGo: Softmax and SoftmaxBackward give the bits
// of the Go loops (the row's m and s too), in place and not.
func TestSoftmaxVectorMatchesGo(t *testing.T) {
	vectorCases(t, func(x []float32) {
		n := len(x)
		p, wp := make([]float32, n), make([]float32, n)
		m, s := Softmax(p, x)
		wm, ws := SoftmaxGo(wp, x)
		in := append([]float32(nil), x...)
		m2, s2 := Softmax(in, in)
		if m != wm || !same64(s, ws) || m2 != wm || !same64(s2, ws) {
			t.Fatalf("len %d: m %g s %g (in place %g %g), Go %g %g", n, m, s, m2, s2, wm, ws)
		}
		for i := range x {
			if !same(p[i], wp[i]) || !same(in[i], wp[i]) {
				t.Fatalf("len %d, z = %g: p %g (in place %g), Go %g", n, x[i], p[i], in[i], wp[i])
			}
		}
		d, wd := make([]float32, n), make([]float32, n)
		for i := range d {
			d[i] = float32(i%5) - 2.5
			wd[i] = d[i]
		}
		SoftmaxBackward(x, d)
		SoftmaxBackwardGo(x, wd)
		for i := range x {
			if !same(d[i], wd[i]) {
				t.Fatalf("len %d, p = %g: d %g, Go %g", n, x[i], d[i], wd[i])
			}
		}
	})
}

// TestGELUAccuracy: GELUForward in float32 against gelu's float64 code: s
// within 4 ulp of float32 plus what an error of 4 ulp of u moves σ(2u)
// (relatively |2u|(1 − s) each, the float32 u's own rounding), y the same
// plus one rounding, and the backward's dx within 8 ulp plus the same.
func TestGELUAccuracy(t *testing.T) {
	x := inputs(-12, 12, 0.00031)
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	y, s := make([]float32, len(x)), make([]float32, len(x))
	wy, ws := make([]float64, len(x)), make([]float64, len(x))
	GELUForward(y, s, x)
	gelu.ForwardGo(wy, ws, x64)
	var worstS, worstY float64
	for i, v := range x64 {
		if math.IsNaN(v) || math.Abs(v) > 1e4 || ws[i] < 1e-30 {
			continue // NaN stays NaN (TestGELUVectorMatchesGo); large |x| and σ(2u) past float32's range (the clamp) below
		}
		u := gelu.Scale * (v + 0.044715*v*v*v)
		cond := 4 * math.Abs(2*u) * (1 - ws[i])
		worstS = max(worstS, ulps32(s[i], ws[i])-cond)
		worstY = max(worstY, ulps32(y[i], wy[i])-cond)
	}
	t.Logf("GELU float32: s %.2f ulp, y %.2f ulp beyond the conditioning of σ(2u) in u", worstS, worstY)
	if worstS > 4 || worstY > 5 {
		t.Fatalf("GELU float32 too far from float64: s %.2f, y %.2f ulp (want ≤ 4, 5)", worstS, worstY)
	}
	for i, v := range x {
		switch {
		case v > 20 && y[i] != v || v > 20 && s[i] != 1:
			t.Errorf("GELU(%g) = %g (s %g), want x (1)", v, y[i], s[i])
		case v < -20 && v > -1e30 && (y[i] > 0 || y[i] < -1e-30 || s[i] > 1e-30):
			t.Errorf("GELU(%g) = %g (s %g), want ≈ 0", v, y[i], s[i])
		}
	}
}

// TestSoftmaxAccuracy: Softmax against math.Exp in float64 on random
// rows: m exact, s within 2·10⁻⁷ relatively, p within 2 ulp of float32 of
// exp(z − m)/s with z − m rounded to float32 (as Softmax computes it: the
// rounding moves p by at most 2⁻²⁴|z − m| relatively, felt only where
// z ≪ m, p tiny), and within 2 + |z − m| ulp of the exact p (an ulp is at least 2⁻²⁴
// relatively).
func TestSoftmaxAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var worstS, worstP, worstExact float64
	for n := 1; n <= 200; n++ {
		z := make([]float32, n)
		for i := range z {
			z[i] = float32(rng.NormFloat64() * 4)
		}
		p := make([]float32, n)
		m, s := Softmax(p, z)
		wm, ws := math.Inf(-1), 0.0
		for _, v := range z {
			wm = max(wm, float64(v))
		}
		for _, v := range z {
			ws += math.Exp(float64(v) - wm)
		}
		if m != wm {
			t.Fatalf("len %d: m = %g, want %g", n, m, wm)
		}
		worstS = max(worstS, math.Abs(s-ws)/ws)
		for i, v := range z {
			worstP = max(worstP, ulps32(p[i], math.Exp(float64(v-float32(wm)))/ws))
			worstExact = max(worstExact, ulps32(p[i], math.Exp(float64(v)-wm)/ws)-math.Abs(float64(v)-wm))
		}
	}
	t.Logf("softmax float32: s %.2g relative, p %.2f ulp (%.2f ulp beyond |z − m| from the exact p)", worstS, worstP, worstExact)
	if worstS > 2e-7 || worstP > 2 || worstExact > 2 {
		t.Fatalf("softmax too far from math.Exp: s %.2g (want ≤ 2e-7), p %.2f, %.2f ulp (want ≤ 2)", worstS, worstP, worstExact)
	}
}
