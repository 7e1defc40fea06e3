package train

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/tick-llm/tick/internal/fusion"
)

// adamReference is AdamW written as torch.optim.AdamW documents it, one
// scalar at a time with explicit bias-corrected moments and history of all
// gradients, independent of the optimiser's incremental code.
func adamReference(p0 float64, grads []float64, lrs []float64, b1, b2, eps, wd float64) float64 {
	p := p0
	for t := 1; t <= len(grads); t++ {
		// m_t and v_t as closed-form weighted sums of all past gradients.
		m, v := 0.0, 0.0
		for k := 1; k <= t; k++ {
			g := grads[k-1]
			m += (1 - b1) * math.Pow(b1, float64(t-k)) * g
			v += (1 - b2) * math.Pow(b2, float64(t-k)) * g * g
		}
		mhat := m / (1 - math.Pow(b1, float64(t)))
		vhat := v / (1 - math.Pow(b2, float64(t)))
		lr := lrs[t-1]
		p = p - lr*wd*p
		p = p - lr*mhat/(math.Sqrt(vhat)+eps)
	}
	return p
}

func TestAdamWMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const steps = 7
	sizes := []int{5, 3}
	decay := []bool{true, false}
	values := [][]float64{make([]float64, 5), make([]float64, 3)}
	start := [][]float64{make([]float64, 5), make([]float64, 3)}
	for i := range values {
		for j := range values[i] {
			values[i][j] = rng.NormFloat64()
			start[i][j] = values[i][j]
		}
	}
	history := make([][][]float64, steps) // [step][param][value]
	lrs := make([]float64, steps)
	o := NewAdamW(sizes, 0.9, 0.99, 1e-8, 0.1)
	for s := range steps {
		grads := [][]float64{make([]float64, 5), make([]float64, 3)}
		for i := range grads {
			for j := range grads[i] {
				grads[i][j] = rng.NormFloat64() * 0.1
			}
		}
		history[s] = grads
		lrs[s] = 1e-2 * float64(s+1) / steps
		if err := o.Update(values, grads, decay, lrs[s]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range values {
		wd := 0.0
		if decay[i] {
			wd = 0.1
		}
		for j := range values[i] {
			g := make([]float64, steps)
			for s := range steps {
				g[s] = history[s][i][j]
			}
			want := adamReference(start[i][j], g, lrs, 0.9, 0.99, 1e-8, wd)
			if d := math.Abs(values[i][j] - want); d > 1e-12 {
				t.Errorf("param %d[%d] = %.17g, reference %.17g (diff %g)", i, j, values[i][j], want, d)
			}
		}
	}
}

// On the first step the bias-corrected ratio m̂/√v̂ is g/|g|, so every weight
// moves by lr (sign against its gradient) plus lr·λ·p decay: a property
// independent of the moment arithmetic.
func TestAdamWFirstStepIsSignStep(t *testing.T) {
	p := [][]float64{{1, -2, 0.5}, {3, 4}}
	g := [][]float64{{0.3, -7, 1e-3}, {-2, 5}}
	o := NewAdamW([]int{3, 2}, 0.9, 0.95, 0, 0.1)
	lr := 0.01
	want := [][]float64{
		{1 - lr*0.1*1 - lr, -2 - lr*0.1*-2 + lr, 0.5 - lr*0.1*0.5 - lr},
		{3 + lr, 4 - lr}, // no decay
	}
	if err := o.Update(p, g, []bool{true, false}, lr); err != nil {
		t.Fatal(err)
	}
	for i := range p {
		for j := range p[i] {
			if math.Abs(p[i][j]-want[i][j]) > 1e-15 {
				t.Errorf("p[%d][%d] = %.17g, want %.17g", i, j, p[i][j], want[i][j])
			}
		}
	}
}

func TestAdamWRejectsMismatch(t *testing.T) {
	o := NewAdamW([]int{2}, 0.9, 0.99, 1e-8, 0)
	if err := o.Update([][]float64{{1, 2, 3}}, [][]float64{{1, 2, 3}}, []bool{true}, 1); err == nil {
		t.Error("size mismatch accepted")
	}
}

func TestClipGlobalNorm(t *testing.T) {
	g := [][]float64{{3, 0}, {4}}
	if n := ClipGlobalNorm(g, 1); n != 5 {
		t.Errorf("norm = %g, want 5", n)
	}
	if n := GlobalNorm(g); math.Abs(n-1) > 1e-15 {
		t.Errorf("norm after clipping = %g, want 1", n)
	}
	if math.Abs(g[0][0]-0.6) > 1e-15 || g[0][1] != 0 || math.Abs(g[1][0]-0.8) > 1e-15 {
		t.Errorf("clipped gradients = %v, want direction kept (0.6, 0, 0.8)", g)
	}
	// Below the threshold nothing changes.
	h := [][]float64{{0.1, 0.2}}
	ClipGlobalNorm(h, 1)
	if h[0][0] != 0.1 || h[0][1] != 0.2 {
		t.Errorf("small gradient changed: %v", h)
	}
}

// The parallel update and norm give the same bits on 1 and 4 cores, the
// update the same bits as the plain serial loop, and the norm agrees with
// a plain sum of squares up to rounding.
func TestAdamWParallelMatchesSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sizes := []int{3, spanSize*2 + 17, 1000, spanSize}
	mk := func() [][]float64 {
		var xs [][]float64
		for _, n := range sizes {
			x := make([]float64, n)
			for j := range x {
				x[j] = rng.NormFloat64()
			}
			xs = append(xs, x)
		}
		return xs
	}
	clone := func(xs [][]float64) [][]float64 {
		var c [][]float64
		for _, x := range xs {
			c = append(c, append([]float64(nil), x...))
		}
		return c
	}
	values, grads := mk(), mk()
	decay := []bool{true, false, true, true}
	var results [][][]float64
	var norms []float64
	for _, procs := range []int{0, 1, 4} { // 0: the serial reference
		prev := runtime.GOMAXPROCS(max(procs, 1))
		v, g := clone(values), clone(grads)
		o := NewAdamW(sizes, 0.9, 0.95, 1e-8, 0.1)
		for step := range 3 {
			var err error
			if procs == 0 {
				err = o.updateSerial(v, g, decay, 1e-3*float64(step+1))
			} else {
				err = o.Update(v, g, decay, 1e-3*float64(step+1))
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if procs > 0 {
			norms = append(norms, GlobalNorm(g))
		}
		runtime.GOMAXPROCS(prev)
		results = append(results, v)
	}
	for r := 1; r < len(results); r++ {
		for i := range results[0] {
			for j := range results[0][i] {
				if math.Float64bits(results[r][i][j]) != math.Float64bits(results[0][i][j]) {
					t.Fatalf("run %d: value %d[%d] = %v, serial %v", r, i, j, results[r][i][j], results[0][i][j])
				}
			}
		}
	}
	if math.Float64bits(norms[0]) != math.Float64bits(norms[1]) {
		t.Errorf("norm on 1 core %v, on 4 %v", norms[0], norms[1])
	}
	plain := 0.0
	for _, g := range grads {
		for _, x := range g {
			plain += x * x
		}
	}
	if math.Abs(norms[0]-math.Sqrt(plain)) > 1e-12*math.Sqrt(plain) {
		t.Errorf("norm %v, plain sum %v", norms[0], math.Sqrt(plain))
	}
}

// benchParams has the parameter sizes of the default model (gpt preset,
// 4 layers, width 128, 91-character vocabulary): 813,184 weights.
func benchParams() (sizes []int, v, g [][]float64, decay []bool) {
	sizes = []int{91 * 128, 64 * 128}
	for range 4 {
		sizes = append(sizes, 128, 128, 128*384, 384, 128*128, 128, 128, 128, 128*512, 512, 512*128, 128)
	}
	sizes = append(sizes, 128, 128)
	for _, n := range sizes {
		v, g, decay = append(v, make([]float64, n)), append(g, make([]float64, n)), append(decay, true)
	}
	return sizes, v, g, decay
}

// BenchmarkAdamW and BenchmarkAdamWSerial compare the parallel update with
// the one-core loop it is tested against.
func BenchmarkAdamW(b *testing.B) {
	sizes, v, g, decay := benchParams()
	o := NewAdamW(sizes, 0.9, 0.99, 1e-8, 0.1)
	for b.Loop() {
		o.Update(v, g, decay, 1e-3)
	}
}

func BenchmarkAdamWSerial(b *testing.B) {
	sizes, v, g, decay := benchParams()
	o := NewAdamW(sizes, 0.9, 0.99, 1e-8, 0.1)
	for b.Loop() {
		o.updateSerial(v, g, decay, 1e-3)
	}
}

// TestAdamWVectorMatchesGo: update (four weights at a time with AVX2,
// then the Go loop) gives the same bits as updateGo, the Go loop alone, on
// lengths with and without a remainder, with decay on and off, over a few
// steps. (Where the compiler fuses multiply-adds the two may differ: see
// package fusion.)
func TestAdamWVectorMatchesGo(t *testing.T) {
	if fusion.GoFuses {
		t.Skip("the Go loop may fuse multiply-adds the assembly keeps apart")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 33, 1001} {
		for _, decay := range []bool{false, true} {
			mk := func(scale float64, positive bool) []float64 {
				x := make([]float64, n)
				for j := range x {
					x[j] = scale * rng.NormFloat64()
					if positive {
						x[j] = math.Abs(x[j])
					}
				}
				return x
			}
			p, m, v := mk(1, false), mk(1e-2, false), mk(1e-4, true)
			p2, m2, v2 := append([]float64(nil), p...), append([]float64(nil), m...), append([]float64(nil), v...)
			o := NewAdamW([]int{n}, 0.9, 0.95, 1e-8, 0.1)
			for step := range 3 {
				g := mk(1e-2, false)
				o.T++
				k := o.coefficients(1e-3 * float64(step+1))
				k.update(p, g, m, v, decay)
				k.updateGo(p2, g, m2, v2, decay)
			}
			for j := range p {
				for _, c := range [][2]float64{{p[j], p2[j]}, {m[j], m2[j]}, {v[j], v2[j]}} {
					if math.Float64bits(c[0]) != math.Float64bits(c[1]) {
						t.Fatalf("n=%d decay=%v: weight %d: p, m, v = %v, %v, %v; Go loop %v, %v, %v", n, decay, j, p[j], m[j], v[j], p2[j], m2[j], v2[j])
					}
				}
			}
		}
	}
}

// BenchmarkAdamWKernel times the update of one run of 1<<15 weights (a
// span, as one goroutine takes it): the Go loop and update (AVX2) side by
// side, in ns per weight.
func BenchmarkAdamWKernel(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = spanSize
	p, g, m, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for j := range p {
		p[j], g[j], m[j], v[j] = rng.NormFloat64(), 1e-2*rng.NormFloat64(), 1e-3*rng.NormFloat64(), 1e-5*rng.Float64()
	}
	o := NewAdamW([]int{n}, 0.9, 0.99, 1e-8, 0.1)
	o.T = 10
	k := o.coefficients(1e-3)
	for _, c := range []struct {
		name string
		fn   func(p, g, m, v []float64, decay bool)
	}{{"go", k.updateGo}, {"avx2", k.update}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.fn(p, g, m, v, true)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/weight")
		})
	}
}

// BenchmarkGlobalNorm times the norm of the default model's 813K gradients.
func BenchmarkGlobalNorm(b *testing.B) {
	_, _, g, _ := benchParams()
	rng := rand.New(rand.NewPCG(9, 10))
	for _, x := range g {
		for j := range x {
			x[j] = rng.NormFloat64()
		}
	}
	for b.Loop() {
		GlobalNorm(g)
	}
}
