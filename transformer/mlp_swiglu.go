package transformer

import "math"

// SwiGLU (Llama), element-wise on the gate a and up u projections, σ the logistic sigmoid:
// forward:  y = silu(a)⊙u, silu(a) = a·σ(a)
// backward: da += dy⊙u⊙σ(a)(1 + a(1-σ(a))); du += dy⊙silu(a)
// The SwiGLU MLP is down(silu(gate(x)) ⊙ up(x)): gate, up (D → F), down (F → D).

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Both compute each element in float64 and round the result to F.

func swigluForward[F float](y, a, u []F) {
	for i, av := range a {
		x := float64(av)
		y[i] = F(x * sigmoid(x) * float64(u[i]))
	}
}

func swigluBackward[F float](da, du, dy, a, u []F) {
	for i, av := range a {
		x, d := float64(av), float64(dy[i])
		s := sigmoid(x)
		da[i] += F(d * float64(u[i]) * s * (1 + x*(1-s)))
		du[i] += F(d * x * s)
	}
}
