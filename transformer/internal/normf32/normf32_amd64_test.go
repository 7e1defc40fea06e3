package normf32

import (
	"math"
	"math/rand/v2"
	"testing"
)

// run is one call of every kernel on the same data; it returns every
// output, float32 ones widened, so two runs can be compared bit for bit.
func run(x, g, b, dy []float32, n, d int) [][]float64 {
	y := make([]float32, n*d)
	mean, rstd := make([]float64, n), make([]float64, n)
	dx := make([]float32, n*d)
	for i := range dx {
		dx[i] = float32(i%7) / 8 // backward adds into dx
	}
	dg, db := make([]float64, d), make([]float64, d)
	LayerNormForward(y, mean, rstd, x, g, b, n, d, 1e-5)
	LayerNormBackwardInput(dx, dy, x, mean, rstd, g, n, d)
	LayerNormBackwardParams(dg, db, dy, x, mean, rstd, n, d)
	ry, rr, rdx, rdg := make([]float32, n*d), make([]float64, n), make([]float32, n*d), make([]float64, d)
	RMSNormForward(ry, rr, x, g, n, d, 1e-5)
	RMSNormBackwardInput(rdx, dy, x, rr, g, n, d)
	RMSNormBackwardParams(rdg, dy, x, rr, n, d)
	// LayerNorm without bias takes the other loops of the assembly.
	ny, ndb := make([]float32, n*d), make([]float64, d)
	LayerNormForward(ny, mean, rstd, x, g, nil, n, d, 1e-5)
	LayerNormBackwardParams(ndb, nil, dy, x, mean, rstd, n, d)
	wide := func(s []float32) []float64 {
		w := make([]float64, len(s))
		for i, v := range s {
			w[i] = float64(v)
		}
		return w
	}
	return [][]float64{wide(y), mean, rstd, wide(dx), dg, db, wide(ry), rr, wide(rdx), rdg, wide(ny), ndb}
}

func randomRows(rng *rand.Rand, n, d int, offset float64) (x, g, b, dy []float32) {
	r := func(k int, scale, off float64) []float32 {
		s := make([]float32, k)
		for i := range s {
			s[i] = float32(off + scale*rng.NormFloat64())
		}
		return s
	}
	return r(n*d, 3, offset), r(d, 0.5, 1), r(d, 0.2, 0), r(n*d, 1e-2, 0)
}

// TestAssemblyMatchesGoLanes: with AVX2 the kernels give the same bits as
// the Go lane order (hasAVX2 off), on widths with and without a tail.
func TestAssemblyMatchesGoLanes(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	if goFusesMultiplyAdd {
		t.Skip("GOAMD64=v3: Go may fuse multiply-adds the assembly keeps apart")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{1, 3, 4, 7, 8, 9, 15, 16, 17, 64, 100, 128, 131} {
		for _, off := range []float64{0, 40} {
			n := 5
			x, g, b, dy := randomRows(rng, n, d, off)
			fast := run(x, g, b, dy, n, d)
			hasAVX2 = false
			slow := run(x, g, b, dy, n, d)
			hasAVX2 = true
			for k := range fast {
				for i := range fast[k] {
					if math.Float64bits(fast[k][i]) != math.Float64bits(slow[k][i]) {
						t.Fatalf("d=%d offset %g: output %d[%d] = %v with AVX2, %v in Go", d, off, k, i, fast[k][i], slow[k][i])
					}
				}
			}
		}
	}
}
