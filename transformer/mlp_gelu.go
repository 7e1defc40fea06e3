package transformer

import (
	"github.com/tick-llm/tick/transformer/internal/fastexp"
	"github.com/tick-llm/tick/transformer/internal/gelu"
)

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
// gelu's (vector) code, float32 the same formula per element in float64,
// rounded to float32 (gelu.ForwardGo's arithmetic).
func geluForwardT[F float](y, s, x []F) {
	if y64, ok := any(y).([]float64); ok {
		gelu.Forward(y64, any(s).([]float64), any(x).([]float64))
		return
	}
	for i, xv := range x {
		v := float64(xv)
		u := geluScale * (v + 0.044715*v*v*v)
		si := 1 / (1 + fastexp.Exp(-2*u))
		y[i] = F(v * si)
		s[i] = F(si)
	}
}

// geluBackward: dx += dy·(s + ½x(1 - tanh²u)·du/dx), tanh u = 2s - 1.
func geluBackward[F float](dx, dy, x, s []F) {
	for i, xv := range x {
		v, si := float64(xv), float64(s[i])
		th := 2*si - 1
		du := geluScale * (1 + 3*0.044715*v*v)
		dx[i] += F(float64(dy[i]) * (si + 0.5*v*(1-th*th)*du))
	}
}
