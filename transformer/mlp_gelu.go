package transformer

import (
	"github.com/tick-llm/tick/transformer/internal/exp32"
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
// gelu (its vector code, 4 lanes); float32 runs package exp32's float32
// version of the same formula (8 lanes), within a few float32 roundings of
// the float64 one (exp32's TestGELUAccuracy).
func geluForwardT[F float](y, s, x []F) {
	if y32, ok := any(y).([]float32); ok {
		exp32.GELUForward(y32, any(s).([]float32), any(x).([]float32))
		return
	}
	gelu.Forward(any(y).([]float64), any(s).([]float64), any(x).([]float64))
}

// geluBackward: dx += dy·(s + ½x(1 - tanh²u)·du/dx), tanh u = 2s - 1.
// Computed in F (no exponential: float32 rounding is all it adds); in
// float32 by exp32.GELUBackward, the same operations 8 lanes at a time.
func geluBackward[F float](dx, dy, x, s []F) {
	if dx32, ok := any(dx).([]float32); ok {
		exp32.GELUBackward(dx32, any(dy).([]float32), any(x).([]float32), any(s).([]float32))
		return
	}
	scale := F(geluScale)
	for i, v := range x {
		th := 2*s[i] - 1
		du := scale * (1 + 3*0.044715*v*v)
		dx[i] += dy[i] * (s[i] + 0.5*v*(1-th*th)*du)
	}
}
