package transformer

import "math"

// GELU, tanh approximation (GPT-2), element-wise; u = √(2/π)·(x + 0.044715x³):
// forward:  y = ½x(1 + tanh u)
// backward: dx += dy·(½(1 + tanh u) + ½x(1 - tanh²u)·√(2/π)(1 + 3·0.044715x²))
// The GELU MLP is down(gelu(fc(x))): fc (D → F), down (F → D).

var geluScale = math.Sqrt(2 / math.Pi)

func geluForward(y, x []float64) {
	for i, v := range x {
		u := geluScale * (v + 0.044715*v*v*v)
		y[i] = 0.5 * v * (1 + math.Tanh(u))
	}
}

func geluBackward(dx, dy, x []float64) {
	for i, v := range x {
		u := geluScale * (v + 0.044715*v*v*v)
		th := math.Tanh(u)
		du := geluScale * (1 + 3*0.044715*v*v)
		dx[i] += dy[i] * (0.5*(1+th) + 0.5*v*(1-th*th)*du)
	}
}
