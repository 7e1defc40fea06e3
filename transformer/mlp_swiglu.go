package transformer

import "math"

// SwiGLU (Llama), element-wise on the gate a and up u projections, σ the logistic sigmoid:
// forward:  y = silu(a)⊙u, silu(a) = a·σ(a)
// backward: da += dy⊙u⊙σ(a)(1 + a(1-σ(a))); du += dy⊙silu(a)
// The SwiGLU MLP is down(silu(gate(x)) ⊙ up(x)): gate, up (D → F), down (F → D).

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func swigluForward(y, a, u []float64) {
	for i, av := range a {
		y[i] = av * sigmoid(av) * u[i]
	}
}

func swigluBackward(da, du, dy, a, u []float64) {
	for i, av := range a {
		s := sigmoid(av)
		da[i] += dy[i] * u[i] * s * (1 + av*(1-s))
		du[i] += dy[i] * av * s
	}
}
