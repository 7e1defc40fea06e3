package exp32

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/transformer/internal/fastexp"
	"github.com/tick-llm/tick/transformer/internal/gelu"
)

// The float32 code transformer ran before this package, the speed
// references of the benchmarks.

// geluForwardWiden is GELU forward on blocks of x widened to float64 and
// run through gelu.Forward (its AVX2 code, 4 lanes), y and s rounded back.
func geluForwardWiden(y, s, x []float32) {
	const block = 256
	var xb, yb, sb [block]float64
	for lo := 0; lo < len(x); lo += block {
		n := min(block, len(x)-lo)
		for i, v := range x[lo : lo+n] {
			xb[i] = float64(v)
		}
		gelu.Forward(yb[:n], sb[:n], xb[:n])
		for i := range n {
			y[lo+i], s[lo+i] = float32(yb[i]), float32(sb[i])
		}
	}
}

// softmaxFastexp is the softmax row with fastexp's float64 exponential,
// one element at a time, and a sequential float64 sum.
func softmaxFastexp(p, z []float32) (m, s float64) {
	m = math.Inf(-1)
	for _, x := range z {
		if float64(x) > m {
			m = float64(x)
		}
	}
	for j, x := range z {
		e := fastexp.Exp(float64(x) - m)
		p[j] = float32(e)
		s += e
	}
	inv := 1 / s
	for j := range p {
		p[j] = float32(float64(p[j]) * inv)
	}
	return m, s
}

// softmaxBackwardSeq is the softmax backward row with a sequential
// float64 sum.
func softmaxBackwardSeq(p, d []float32) {
	dot := 0.0
	for j, pv := range p {
		dot += float64(pv) * float64(d[j])
	}
	for j, pv := range p {
		d[j] = float32(float64(pv) * (float64(d[j]) - dot))
	}
}

// perElement reports the time per element of n elements a loop.
func perElement(b *testing.B, n int) {
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n)/float64(b.N), "ns/elem")
}

// BenchmarkGELU: forward and backward on one layer's activations (B·T·F =
// 768·512): the assembly, the Go loop and (forward) the float64 widening
// transformer ran before, in the same run.
func BenchmarkGELU(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 768 * 512
	x, dy := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], dy[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	y, s, dx := make([]float32, n), make([]float32, n), make([]float32, n)
	GELUForwardGo(y, s, x)
	for _, bc := range []struct {
		name string
		f    func()
	}{
		{"forward/vector", func() { GELUForward(y, s, x) }},
		{"forward/Go", func() { GELUForwardGo(y, s, x) }},
		{"forward/widen64", func() { geluForwardWiden(y, s, x) }},
		{"backward/vector", func() { GELUBackward(dx, dy, x, s) }},
		{"backward/Go", func() { GELUBackwardGo(dx, dy, x, s) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.f()
			}
			perElement(b, n)
		})
	}
}

// BenchmarkSoftmax: rows of 64 (a cross-entropy or the last attention
// row of T = 64) and causal rows of 1..64 (the attention of T = 64):
// forward and backward, the assembly, the Go loop and the code
// transformer ran before, in the same run.
func BenchmarkSoftmax(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	const T = 64
	z, p, d := make([]float32, T*T), make([]float32, T*T), make([]float32, T*T)
	for i := range z {
		z[i], d[i] = float32(rng.NormFloat64()*3), float32(rng.NormFloat64())
	}
	for _, shape := range []struct {
		name string
		n    func(t int) int // row t's length
	}{{"rows64", func(int) int { return T }}, {"causal64", func(t int) int { return t + 1 }}} {
		elems := 0
		for t := range T {
			elems += shape.n(t)
		}
		for _, bc := range []struct {
			name string
			f    func(p, z, d []float32)
		}{
			{"forward/vector", func(p, z, _ []float32) { Softmax(p, z) }},
			{"forward/Go", func(p, z, _ []float32) { SoftmaxGo(p, z) }},
			{"forward/fastexp64", func(p, z, _ []float32) { softmaxFastexp(p, z) }},
			{"backward/vector", func(p, _, d []float32) { SoftmaxBackward(p, d) }},
			{"backward/Go", func(p, _, d []float32) { SoftmaxBackwardGo(p, d) }},
			{"backward/seq64", func(p, _, d []float32) { softmaxBackwardSeq(p, d) }},
		} {
			b.Run(shape.name+"/"+bc.name, func(b *testing.B) {
				for b.Loop() {
					for t := range T {
						n := shape.n(t)
						bc.f(p[t*T:t*T+n], z[t*T:t*T+n], d[t*T:t*T+n])
					}
				}
				perElement(b, elems)
			})
		}
	}
}

// swigluForward64 and swigluBackward64 are SwiGLU in float64 on math.Exp,
// rounded to float32, as transformer ran it before.
func swigluForward64(y, a, u []float32) {
	for i, av := range a {
		x := float64(av)
		y[i] = float32(x / (1 + math.Exp(-x)) * float64(u[i]))
	}
}

func swigluBackward64(da, du, dy, a, u []float32) {
	for i, av := range a {
		x, d := float64(av), float64(dy[i])
		s := 1 / (1 + math.Exp(-x))
		da[i] += float32(d * float64(u[i]) * s * (1 + x*(1-s)))
		du[i] += float32(d * x * s)
	}
}

// BenchmarkSwiGLU: forward and backward on one layer's activations
// (768·512): the assembly, the Go loop and the float64 code transformer
// ran before, in the same run.
func BenchmarkSwiGLU(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	n := 768 * 512
	a, u, dy := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range a {
		a[i], u[i], dy[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	y, da, du := make([]float32, n), make([]float32, n), make([]float32, n)
	for _, bc := range []struct {
		name string
		f    func()
	}{
		{"forward/vector", func() { SwiGLUForward(y, a, u) }},
		{"forward/Go", func() { SwiGLUForwardGo(y, a, u) }},
		{"forward/float64", func() { swigluForward64(y, a, u) }},
		{"backward/vector", func() { SwiGLUBackward(da, du, dy, a, u) }},
		{"backward/Go", func() { SwiGLUBackwardGo(da, du, dy, a, u) }},
		{"backward/float64", func() { swigluBackward64(da, du, dy, a, u) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.f()
			}
			perElement(b, n)
		})
	}
}
