package transformer

import "math"

// RMSNorm (Llama), row by row over x (N x D): no centring, no bias.
// forward:  rstd = 1/sqrt(mean(x²)+eps), x̂ = x·rstd, y = x̂⊙g
// backward: dx̂ = dy⊙g; dx = rstd·(dx̂ - x̂·mean(dx̂⊙x̂)); dg += Σ dy⊙x̂
// rstd (N) is kept for backward. As in LayerNorm, the statistics, sums and
// the gain gradient are float64 in both precisions.

func rmsNormForward[F float](y []F, rstd []float64, x, g []F, n, d int, eps float64) {
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d]
		yi := y[i*d : (i+1)*d]
		ss := 0.0
		for _, v := range xi {
			ss += float64(v) * float64(v)
		}
		r := 1 / math.Sqrt(ss/float64(d)+eps)
		rf := F(r) // the element-wise part in F
		for j, xv := range xi {
			yi[j] = xv * rf * g[j]
		}
		rstd[i] = r
	}
}

func rmsNormBackwardInput[F float](dx, dy, x []F, rstd []float64, g []F, n, d int) {
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d]
		dyi := dy[i*d : (i+1)*d]
		dxi := dx[i*d : (i+1)*d]
		r := rstd[i]
		sumDX := 0.0 // Σ dx̂⊙x̂
		for j, xv := range xi {
			sumDX += float64(dyi[j]) * float64(g[j]) * float64(xv) * r
		}
		sumDX /= float64(d)
		rf, sDX := F(r), F(sumDX) // the element-wise part in F
		for j, xv := range xi {
			dxi[j] += rf * (dyi[j]*g[j] - xv*rf*sDX)
		}
	}
}

// rmsNormBackwardParams sums the gain gradient over rows in order.
func rmsNormBackwardParams[F float](dg []float64, dy, x []F, rstd []float64, n, d int) {
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d]
		dyi := dy[i*d : (i+1)*d]
		r := rstd[i]
		for j, xv := range xi {
			dg[j] += float64(dyi[j]) * float64(xv) * r
		}
	}
}
