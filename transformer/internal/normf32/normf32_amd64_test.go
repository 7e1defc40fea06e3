package normf32

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/internal/fusion"
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

// rows fills n rows of width d: x around offset, dy small, a gain near 1
// and a small bias, with a -0 and a value far out in x so that signs of
// zero and large terms go through the kernels too.
func rows(rng *rand.Rand, n, d int, offset float64) (x, g, b, dy []float32) {
	x, dy = make([]float32, n*d), make([]float32, n*d)
	g, b = make([]float32, d), make([]float32, d)
	for i := range x {
		x[i], dy[i] = float32(offset+3*rng.NormFloat64()), float32(1e-2*rng.NormFloat64())
	}
	for j := range g {
		g[j], b[j] = float32(1+rng.NormFloat64()/2), float32(rng.NormFloat64()/5)
	}
	x[0] = float32(math.Copysign(0, -1))
	x[len(x)-1] = 1e6
	return x, g, b, dy
}

// TestAssemblyMatchesGoLanes: with AVX2 the kernels give the same bits as
// the Go lane order (hasAVX2 off), on widths with and without a tail.
func TestAssemblyMatchesGoLanes(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	if fusion.GoFuses {
		t.Skip("GOAMD64=v3: Go may fuse multiply-adds the assembly keeps apart")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{1, 3, 4, 7, 8, 9, 15, 16, 17, 64, 100, 128, 131} {
		for _, off := range []float64{0, 40} {
			n := 5
			x, g, b, dy := rows(rng, n, d, off)
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
