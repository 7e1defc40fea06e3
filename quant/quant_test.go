package quant

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestNF4Levels rebuilds the table the way bitsandbytes' create_normal_map
// does (offset 0.9677083): 8 positive quantiles of N(0,1) on
// linspace(offset, 0.5, 9), 7 negative ones on linspace(offset, 0.5, 8), a
// zero, all divided by the largest. The table must agree to float32 precision.
func TestNF4Levels(t *testing.T) {
	const offset = 0.9677083
	n := distuv.UnitNormal
	linspace := func(a, b float64, k int) []float64 {
		out := make([]float64, k)
		for i := range out {
			out[i] = a + (b-a)*float64(i)/float64(k-1)
		}
		return out
	}
	var v []float64
	for _, p := range linspace(offset, 0.5, 9)[:8] {
		v = append(v, n.Quantile(p))
	}
	v = append(v, 0)
	for _, p := range linspace(offset, 0.5, 8)[:7] {
		v = append(v, -n.Quantile(p))
	}
	top := v[0]
	want := make([]float64, 16)
	for i, x := range v {
		want[i] = x / top
	}
	// sort ascending
	for i := range want {
		for j := i + 1; j < len(want); j++ {
			if want[j] < want[i] {
				want[i], want[j] = want[j], want[i]
			}
		}
	}
	for i, l := range NF4Levels {
		if math.Abs(l-want[i]) > 3e-7 {
			t.Errorf("level %d: table %.10f, from the normal quantiles %.10f", i, l, want[i])
		}
	}
	if NF4Levels[7] != 0 || NF4Levels[0] != -1 || NF4Levels[15] != 1 {
		t.Errorf("NF4 must have an exact 0 and span [-1, 1]")
	}
}

// TestRoundTripBound: every value comes back within half the widest code
// gap times its block's scale (plus the scale's own error under double
// quantization), and the storage is the format's bits per value.
func TestRoundTripBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 64*300+17) // a partial last block; >256 blocks for double quantization
	for i := range x {
		x[i] = 0.02 * rng.NormFloat64() * (1 + float64(i%640)/64)
	}
	x[5] = 0 // a block value that must survive
	for _, kind := range []Kind{Int8, NF4} {
		for _, double := range []bool{false, true} {
			q, err := Quantize(x, kind, double)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float64, len(x))
			q.Dequantize(got)
			worst := 0.0
			for b := 0; b*BlockSize < len(x); b++ {
				absmax := 0.0
				for _, v := range x[b*BlockSize : min(len(x), (b+1)*BlockSize)] {
					absmax = max(absmax, math.Abs(v))
				}
				trueScale := absmax
				if kind == Int8 {
					trueScale /= 127
				}
				bound := q.MaxError(b, trueScale) + 1e-15
				for j := b * BlockSize; j < min(len(x), (b+1)*BlockSize); j++ {
					e := math.Abs(got[j] - x[j])
					worst = max(worst, e/bound)
					if e > bound {
						t.Fatalf("%s double=%v value %d: %g came back as %g, error %g > bound %g", kind, double, j, x[j], got[j], e, bound)
					}
				}
			}
			if worst < 0.3 {
				t.Errorf("%s double=%v: the worst error is only %.2f of the bound; the bound is not tight", kind, double, worst)
			}
			blocks := (len(x) + 63) / 64
			want := map[Kind]int{Int8: len(x), NF4: (len(x) + 1) / 2}[kind]
			if double {
				want += blocks + 4*((blocks+255)/256) + 4
			} else {
				want += 4 * blocks
			}
			if q.Bytes() != want {
				t.Errorf("%s double=%v: %d bytes, want %d", kind, double, q.Bytes(), want)
			}
		}
	}
}

// TestNibbleOrder: bitsandbytes packs the first value of a pair in the high nibble.
func TestNibbleOrder(t *testing.T) {
	q, _ := Quantize([]float64{-1, 1, 0}, NF4, false)
	if q.Codes[0] != 0x0f || q.Codes[1]>>4 != 7 {
		t.Errorf("codes % x: want 0f 7x (-1 high nibble, 1 low nibble, then 0)", q.Codes)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := ParseKind("fp8"); err == nil || !strings.Contains(err.Error(), "nf4 or int8") {
		t.Errorf("ParseKind(fp8): %v", err)
	}
	if _, err := Quantize([]float64{math.NaN()}, NF4, false); err == nil {
		t.Errorf("NaN quantized without error")
	}
}
