package transformer

// norm is one normalisation layer of the model: LayerNorm (gain and
// optional bias) or RMSNorm (gain only), over rows of width dim.
type norm struct {
	G, B *Param // B is nil for RMSNorm and for LayerNorm without bias
	rms  bool
	eps  float64
	dim  int
}

// forward: y (N x D) = norm(x); mean and rstd (N) keep the row statistics.
func (l *norm) forward(y, mean, rstd, x []float64, n int) {
	g := l.G.Value.RawMatrix().Data
	if l.rms {
		rmsNormForward(y, rstd, x, g, n, l.dim, l.eps)
		return
	}
	var b []float64
	if l.B != nil {
		b = l.B.Value.RawMatrix().Data
	}
	layerNormForward(y, mean, rstd, x, g, b, n, l.dim, l.eps)
}

// backward: dx (N x D) += ∂L/∂x given dy; gain and bias gradients accumulate.
func (l *norm) backward(dx, dy, x, mean, rstd []float64, n int) {
	g := l.G.Value.RawMatrix().Data
	dg := l.G.Grad.RawMatrix().Data
	if l.rms {
		rmsNormBackward(dx, dg, dy, x, rstd, g, n, l.dim)
		return
	}
	var db []float64
	if l.B != nil {
		db = l.B.Grad.RawMatrix().Data
	}
	layerNormBackward(dx, dg, db, dy, x, mean, rstd, g, n, l.dim)
}
