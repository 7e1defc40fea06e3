package transformer

import "github.com/tick-llm/tick/transformer/internal/gelu"

// GELU, tanh approximation (GPT-2), element-wise; u = √(2/π)·(x + 0.044715x³):
// forward:  y = ½x(1 + tanh u)
// backward: dx += dy·(½(1 + tanh u) + ½x(1 - tanh²u)·√(2/π)(1 + 3·0.044715x²))
// The GELU MLP is down(gelu(fc(x))): fc (D → F), down (F → D).
// The code uses ½(1 + tanh u) = σ(2u), one exponential instead of a tanh,
// and keeps s = σ(2u) from forward so backward needs no exponential.

var geluScale = gelu.Scale

// geluForward: y = x·s with s = σ(2u) = ½(1 + tanh u), kept in s (nil: not
// kept); package gelu holds it and its vector version.
func geluForward(y, s, x []float64) { gelu.Forward(y, s, x) }

// geluForwardT is geluForward in either precision: float64 runs package
// gelu's vector code on x itself; float32 runs the same code on blocks of x
// widened to float64, rounding y and s back, so both precisions compute
// the same float64 formula (gelu.ForwardGo's) and float32 keeps the AVX2
// exponentials.
func geluForwardT[F float](y, s, x []F) {
	if y64, ok := any(y).([]float64); ok {
		gelu.Forward(y64, any(s).([]float64), any(x).([]float64))
		return
	}
	const block = 256 // three float64 blocks on the stack
	var xb, yb, sb [block]float64
	for lo := 0; lo < len(x); lo += block {
		n := min(block, len(x)-lo)
		for i, v := range x[lo : lo+n] {
			xb[i] = float64(v)
		}
		gelu.Forward(yb[:n], sb[:n], xb[:n])
		for i := range n {
			y[lo+i], s[lo+i] = F(yb[i]), F(sb[i])
		}
	}
}

// geluBackward: dx += dy·(s + ½x(1 - tanh²u)·du/dx), tanh u = 2s - 1.
// Computed in F (no exponential: float32 rounding is all it adds).
func geluBackward[F float](dx, dy, x, s []F) {
	scale := F(geluScale)
	for i, v := range x {
		th := 2*s[i] - 1
		du := scale * (1 + 3*0.044715*v*v)
		dx[i] += dy[i] * (s[i] + 0.5*v*(1-th*th)*du)
	}
}
