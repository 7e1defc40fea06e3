package transformer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/internal/fusion"
	"github.com/tick-llm/tick/transformer/internal/normf32"
)

// normCase is random float32 rows for the norm kernels: x with an offset
// (a mean far from 0 makes the centring matter), a gain near 1, a small
// bias and a small upstream gradient.
func normCase(rng *rand.Rand, n, d int, offset float64) (x, g, b, dy []float32) {
	r := func(k int, scale, off float64) []float32 {
		s := make([]float32, k)
		for i := range s {
			s[i] = float32(off + scale*rng.NormFloat64())
		}
		return s
	}
	return r(n*d, 3, offset), r(d, 0.5, 1), r(d, 0.2, 0), r(n*d, 1e-2, 0)
}

// eps32Distance is max |got−want| / (ε32·scale) over the elements, ε32 =
// 2⁻²⁴ the float32 unit roundoff: how many float32 roundings of the size
// of scale the two are apart.
func eps32Distance(got, want []float32, scale []float64) float64 {
	worst := 0.0
	for i := range got {
		worst = max(worst, math.Abs(float64(got[i])-float64(want[i]))/(0x1p-24*scale[i]))
	}
	return worst
}

// TestNormF32MatchesReference: normf32 (the float32 path, AVX2 where there
// is) against the plain loops of layernorm.go and rmsnorm.go in float32.
// Only the row sums are added in another order (8 lanes), so the row
// statistics agree to float64 rounding and the outputs to float32
// rounding: y and dx within 4 roundings of the size of their terms (a
// statistic that rounds to float32 the other way moves them by one or
// two; measured on 3000 rows per case: the statistics differ in up to all
// rows by float64 ulps, y and dx in none); the gain and bias gradients,
// summed in the same order from the same statistics, bit for bit (where
// the compiler does not fuse multiply-adds: see package fusion).
func TestNormF32MatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range []int{1, 5, 8, 13, 64, 128, 200} {
		for _, off := range []float64{0, 30} {
			n := 7
			x, g, b, dy := normCase(rng, n, d, off)
			for _, rms := range []bool{false, true} {
				y, yRef := make([]float32, n*d), make([]float32, n*d)
				mean, rstd := make([]float64, n), make([]float64, n)
				meanRef, rstdRef := make([]float64, n), make([]float64, n)
				if rms {
					normf32.RMSNormForward(y, rstd, x, g, n, d, 1e-5)
					rmsNormForward(yRef, rstdRef, x, g, n, d, 1e-5)
				} else {
					normf32.LayerNormForward(y, mean, rstd, x, g, b, n, d, 1e-5)
					layerNormForward(yRef, meanRef, rstdRef, x, g, b, n, d, 1e-5)
				}
				for i := range n {
					// The mean and variance sums have d terms of size |x|:
					// their float64 roundings are within d·ε64 of it.
					scale := float64(d) * 0x1p-52
					if e := math.Abs(mean[i] - meanRef[i]); e > scale*(math.Abs(off)+20) {
						t.Errorf("d=%d rms=%v: mean[%d] = %v, reference %v", d, rms, i, mean[i], meanRef[i])
					}
					if e := math.Abs(rstd[i]-rstdRef[i]) / rstdRef[i]; e > scale*20 {
						t.Errorf("d=%d rms=%v: rstd[%d] = %v, reference %v", d, rms, i, rstd[i], rstdRef[i])
					}
				}
				// y = (x−m)·r·g + b: terms of size |x−m|·r·|g| + |b|.
				ys := make([]float64, n*d)
				for i := range ys {
					j := i % d
					ys[i] = math.Abs(float64(x[i])-meanRef[i/d])*rstdRef[i/d]*math.Abs(float64(g[j])) + math.Abs(float64(b[j]))
				}
				if e := eps32Distance(y, yRef, ys); e > 4 {
					t.Errorf("d=%d offset %g rms=%v: y %.2f float32 roundings from the reference", d, off, rms, e)
				}

				// Backward from the reference's statistics, so that only
				// the backward sums differ.
				dx, dxRef := make([]float32, n*d), make([]float32, n*d)
				dg, dgRef := make([]float64, d), make([]float64, d)
				db, dbRef := make([]float64, d), make([]float64, d)
				if rms {
					normf32.RMSNormBackwardInput(dx, dy, x, rstdRef, g, n, d)
					rmsNormBackwardInput(dxRef, dy, x, rstdRef, g, n, d)
					normf32.RMSNormBackwardParams(dg, dy, x, rstdRef, n, d)
					rmsNormBackwardParams(dgRef, dy, x, rstdRef, n, d)
				} else {
					normf32.LayerNormBackwardInput(dx, dy, x, meanRef, rstdRef, g, n, d)
					layerNormBackwardInput(dxRef, dy, x, meanRef, rstdRef, g, n, d)
					normf32.LayerNormBackwardParams(dg, db, dy, x, meanRef, rstdRef, n, d)
					layerNormBackwardParams(dgRef, dbRef, dy, x, meanRef, rstdRef, n, d)
				}
				// dx = r·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)): terms of size
				// r·(|dy·g| + rms(dy·g) + |x̂|·rms(dy·g)) bound each piece.
				dxs := make([]float64, n*d)
				for i := range n {
					rm := 0.0
					for j := range d {
						v := float64(dy[i*d+j]) * float64(g[j])
						rm += v * v
					}
					rm = math.Sqrt(rm / float64(d))
					for j := range d {
						xh := math.Abs(float64(x[i*d+j])-meanRef[i]) * rstdRef[i]
						dxs[i*d+j] = rstdRef[i] * (math.Abs(float64(dy[i*d+j])*float64(g[j])) + rm + xh*rm)
					}
				}
				if e := eps32Distance(dx, dxRef, dxs); e > 4 {
					t.Errorf("d=%d offset %g rms=%v: dx %.2f float32 roundings from the reference", d, off, rms, e)
				}
				for j := range d {
					if fusion.GoFuses {
						break
					}
					if math.Float64bits(dg[j]) != math.Float64bits(dgRef[j]) || math.Float64bits(db[j]) != math.Float64bits(dbRef[j]) {
						t.Fatalf("d=%d rms=%v: column %d: dg, db = %v, %v, reference %v, %v", d, rms, j, dg[j], db[j], dgRef[j], dbRef[j])
					}
				}
			}
		}
	}
}

// BenchmarkNormF32 times the float32 norm kernels on one training step's
// rows (768 x 128), the plain loops and normf32 side by side, in ns per
// element.
func BenchmarkNormF32(b *testing.B) {
	const n, d = 768, 128
	x, g, bias, dy := normCase(rand.New(rand.NewPCG(5, 6)), n, d, 0)
	y, dx := make([]float32, n*d), make([]float32, n*d)
	mean, rstd := make([]float64, n), make([]float64, n)
	dg, db := make([]float64, d), make([]float64, d)
	layerNormForward(y, mean, rstd, x, g, bias, n, d, 1e-5)
	cases := []struct {
		name        string
		plain, fast func()
	}{
		{"layer/forward",
			func() { layerNormForward(y, mean, rstd, x, g, bias, n, d, 1e-5) },
			func() { normf32.LayerNormForward(y, mean, rstd, x, g, bias, n, d, 1e-5) }},
		{"layer/input",
			func() { layerNormBackwardInput(dx, dy, x, mean, rstd, g, n, d) },
			func() { normf32.LayerNormBackwardInput(dx, dy, x, mean, rstd, g, n, d) }},
		{"layer/params",
			func() { layerNormBackwardParams(dg, db, dy, x, mean, rstd, n, d) },
			func() { normf32.LayerNormBackwardParams(dg, db, dy, x, mean, rstd, n, d) }},
		{"rms/forward",
			func() { rmsNormForward(y, rstd, x, g, n, d, 1e-5) },
			func() { normf32.RMSNormForward(y, rstd, x, g, n, d, 1e-5) }},
		{"rms/input",
			func() { rmsNormBackwardInput(dx, dy, x, rstd, g, n, d) },
			func() { normf32.RMSNormBackwardInput(dx, dy, x, rstd, g, n, d) }},
		{"rms/params",
			func() { rmsNormBackwardParams(dg, dy, x, rstd, n, d) },
			func() { normf32.RMSNormBackwardParams(dg, dy, x, rstd, n, d) }},
	}
	for _, c := range cases {
		for _, v := range []struct {
			name string
			fn   func()
		}{{"plain", c.plain}, {"normf32", c.fast}} {
			b.Run(c.name+"/"+v.name, func(b *testing.B) {
				for b.Loop() {
					v.fn()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(n*d), "ns/elem")
			})
		}
	}
}
