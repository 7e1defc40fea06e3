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

// geluBackward: dx += dy·(s + ½x(1 - tanh²u)·du/dx), tanh u = 2s - 1.
func geluBackward(dx, dy, x, s []float64) {
	for i, v := range x {
		th := 2*s[i] - 1
		du := geluScale * (1 + 3*0.044715*v*v)
		dx[i] += dy[i] * (s[i] + 0.5*v*(1-th*th)*du)
	}
}
