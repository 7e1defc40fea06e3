package fastexp

import (
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

// TestExp: Exp agrees with math.Exp within 4 ulp on a dense grid
// over its whole range, clamps outside it and keeps NaN.
func TestExp(t *testing.T) {
	worst, at := 0.0, 0.0
	for x := -708.0; x <= 708; x += 0.000731 {
		if e := ulps(Exp(x), math.Exp(x)); e > worst {
			worst, at = e, x
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		x := (2*rng.Float64() - 1) * 40 // where GELU and softmax live
		if e := ulps(Exp(x), math.Exp(x)); e > worst {
			worst, at = e, x
		}
	}
	t.Logf("Exp: max error %.2f ulp (at x = %g)", worst, at)
	if worst > 4 {
		t.Fatalf("Exp(%g) is %.2f ulp from math.Exp, want ≤ 4", at, worst)
	}
	for _, tc := range []struct{ x, want float64 }{
		{0, 1}, {1000, math.Exp(708)}, {math.Inf(1), math.Exp(708)}, {-1000, math.Exp(-708)}, {math.Inf(-1), math.Exp(-708)},
	} {
		if got := Exp(tc.x); ulps(got, tc.want) > 2 {
			t.Errorf("Exp(%g) = %g, want %g", tc.x, got, tc.want)
		}
	}
	if got := Exp(math.NaN()); !math.IsNaN(got) {
		t.Errorf("Exp(NaN) = %g, want NaN", got)
	}
}
