package transformer

import "math"

// LayerNorm (GPT-2), row by row over x (N x D):
// forward:  μ = mean(x), rstd = 1/sqrt(var(x)+eps), x̂ = (x-μ)·rstd, y = x̂⊙g + b
// backward: dx̂ = dy⊙g; dx = rstd·(dx̂ - mean(dx̂) - x̂·mean(dx̂⊙x̂)); dg += Σ dy⊙x̂; db += Σ dy
// mean and rstd (N) are kept for backward. b may be nil (no bias).
// In both precisions the statistics, the row sums and the gain and bias
// gradients are float64; the element-wise outputs y and dx are computed in F.

func layerNormForward[F float](y []F, mean, rstd []float64, x, g, b []F, n, d int, eps float64) {
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d]
		yi := y[i*d : (i+1)*d]
		m := 0.0
		for _, v := range xi {
			m += float64(v)
		}
		m /= float64(d)
		v := 0.0
		for _, xv := range xi {
			c := float64(xv) - m
			v += c * c
		}
		v /= float64(d)
		r := 1 / math.Sqrt(v+eps)
		mf, rf := F(m), F(r) // the element-wise part in F
		for j, xv := range xi {
			yi[j] = (xv - mf) * rf * g[j]
			if b != nil {
				yi[j] += b[j]
			}
		}
		mean[i], rstd[i] = m, r
	}
}

func layerNormBackwardInput[F float](dx, dy, x []F, mean, rstd []float64, g []F, n, d int) {
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d]
		dyi := dy[i*d : (i+1)*d]
		dxi := dx[i*d : (i+1)*d]
		m, r := mean[i], rstd[i]
		sumD, sumDX := 0.0, 0.0 // Σ dx̂ and Σ dx̂⊙x̂
		for j, xv := range xi {
			dn := float64(dyi[j]) * float64(g[j])
			sumD += dn
			sumDX += dn * (float64(xv) - m) * r
		}
		sumD /= float64(d)
		sumDX /= float64(d)
		mf, rf, sD, sDX := F(m), F(r), F(sumD), F(sumDX) // the element-wise part in F
		for j, xv := range xi {
			xh := (xv - mf) * rf
			dxi[j] += rf * (dyi[j]*g[j] - sD - xh*sDX)
		}
	}
}

// layerNormBackwardParams sums the gain and bias gradients over rows in order.
func layerNormBackwardParams[F float](dg, db []float64, dy, x []F, mean, rstd []float64, n, d int) {
	for i := 0; i < n; i++ {
		xi := x[i*d : (i+1)*d]
		dyi := dy[i*d : (i+1)*d]
		m, r := mean[i], rstd[i]
		for j, xv := range xi {
			dg[j] += float64(dyi[j]) * (float64(xv) - m) * r
		}
		if db != nil {
			for j, v := range dyi {
				db[j] += float64(v)
			}
		}
	}
}
