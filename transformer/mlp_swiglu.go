package transformer

import (
	"math"

	"github.com/tick-llm/tick/transformer/internal/exp32"
)

// SwiGLU (Llama), element-wise on the gate a and up u projections, σ the logistic sigmoid:
// forward:  y = silu(a)⊙u, silu(a) = a·σ(a)
// backward: da += dy⊙u⊙σ(a)(1 + a(1-σ(a))); du += dy⊙silu(a)
// The SwiGLU MLP is down(silu(gate(x)) ⊙ up(x)): gate, up (D → F), down (F → D).

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Both compute each element in float64 on math.Exp and round the result
// to F; in float32 package exp32 computes them in float32 (its exponential
// within 1 ulp, 8 lanes at a time).

func swigluForward[F float](y, a, u []F) {
	if y32, ok := any(y).([]float32); ok {
		exp32.SwiGLUForward(y32, any(a).([]float32), any(u).([]float32))
		return
	}
	for i, av := range a {
		x := float64(av)
		y[i] = F(x * sigmoid(x) * float64(u[i]))
	}
}

func swigluBackward[F float](da, du, dy, a, u []F) {
	if da32, ok := any(da).([]float32); ok {
		exp32.SwiGLUBackward(da32, any(du).([]float32), any(dy).([]float32), any(a).([]float32), any(u).([]float32))
		return
	}
	for i, av := range a {
		x, d := float64(av), float64(dy[i])
		s := sigmoid(x)
		da[i] += F(d * float64(u[i]) * s * (1 + x*(1-s)))
		du[i] += F(d * x * s)
	}
}
