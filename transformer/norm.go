package transformer

import "github.com/tick-llm/tick/transformer/internal/normf32"

// norm is one normalisation layer of the model: LayerNorm (gain and
// optional bias) or RMSNorm (gain only), over rows of width dim.
type norm struct {
	G, B *Param // B is nil for RMSNorm and for LayerNorm without bias
	rms  bool
	eps  float64
	dim  int
}

// normForward: y (N x D) = norm(x) with the weights w; mean and rstd (N)
// keep the row statistics. Rows are independent, so they are split among
// workers. Float32 runs in normf32 (AVX2, the row sums in 8 float64 lanes);
// float64 in the plain loops of layernorm.go and rmsnorm.go.
func normForward[F float](l *norm, w *weights[F], y []F, mean, rstd []float64, x []F, n, workers int) {
	g := w.value(l.G)
	var b []F
	if l.B != nil {
		b = w.value(l.B)
	}
	d := l.dim
	if y32, ok := any(y).([]float32); ok {
		x32, g32, b32 := any(x).([]float32), any(g).([]float32), any(b).([]float32)
		parallelRows(n, d, workers, func(lo, hi int) {
			if l.rms {
				normf32.RMSNormForward(y32[lo*d:hi*d], rstd[lo:hi], x32[lo*d:hi*d], g32, hi-lo, d, l.eps)
			} else {
				normf32.LayerNormForward(y32[lo*d:hi*d], mean[lo:hi], rstd[lo:hi], x32[lo*d:hi*d], g32, b32, hi-lo, d, l.eps)
			}
		})
		return
	}
	parallelRows(n, d, workers, func(lo, hi int) {
		if l.rms {
			rmsNormForward(y[lo*d:hi*d], rstd[lo:hi], x[lo*d:hi*d], g, hi-lo, d, l.eps)
		} else {
			layerNormForward(y[lo*d:hi*d], mean[lo:hi], rstd[lo:hi], x[lo*d:hi*d], g, b, hi-lo, d, l.eps)
		}
	})
}

// normBackward: dx (N x D) += ∂L/∂x given dy; gain and bias gradients
// accumulate into Param.Grad (float64 in both precisions). The input
// gradient is split by rows among workers; the parameter gradients sum over
// rows on one goroutine, in row order, so the result does not depend on the
// number of workers. Float32 runs in normf32, as in normForward.
func normBackward[F float](l *norm, w *weights[F], dx, dy, x []F, mean, rstd []float64, n, workers int) {
	g := w.value(l.G)
	dg := l.G.Grad.RawMatrix().Data
	var db []float64
	if l.B != nil {
		db = l.B.Grad.RawMatrix().Data
	}
	d := l.dim
	if dx32, ok := any(dx).([]float32); ok {
		dy32, x32, g32 := any(dy).([]float32), any(x).([]float32), any(g).([]float32)
		parallelRows(n, d, workers, func(lo, hi int) {
			if l.rms {
				normf32.RMSNormBackwardInput(dx32[lo*d:hi*d], dy32[lo*d:hi*d], x32[lo*d:hi*d], rstd[lo:hi], g32, hi-lo, d)
			} else {
				normf32.LayerNormBackwardInput(dx32[lo*d:hi*d], dy32[lo*d:hi*d], x32[lo*d:hi*d], mean[lo:hi], rstd[lo:hi], g32, hi-lo, d)
			}
		})
		if l.rms {
			normf32.RMSNormBackwardParams(dg, dy32, x32, rstd, n, d)
		} else {
			normf32.LayerNormBackwardParams(dg, db, dy32, x32, mean, rstd, n, d)
		}
		return
	}
	parallelRows(n, d, workers, func(lo, hi int) {
		if l.rms {
			rmsNormBackwardInput(dx[lo*d:hi*d], dy[lo*d:hi*d], x[lo*d:hi*d], rstd[lo:hi], g, hi-lo, d)
		} else {
			layerNormBackwardInput(dx[lo*d:hi*d], dy[lo*d:hi*d], x[lo*d:hi*d], mean[lo:hi], rstd[lo:hi], g, hi-lo, d)
		}
	})
	if l.rms {
		rmsNormBackwardParams(dg, dy, x, rstd, n, d)
	} else {
		layerNormBackwardParams(dg, db, dy, x, mean, rstd, n, d)
	}
}

// forward is normForward in float64 on the layer's own Params.
func (l *norm) forward(y, mean, rstd, x []float64, n, workers int) {
	normForward(l, params64, y, mean, rstd, x, n, workers)
}

// backward is normBackward in float64 on the layer's own Params.
func (l *norm) backward(dx, dy, x, mean, rstd []float64, n, workers int) {
	normBackward(l, params64, dx, dy, x, mean, rstd, n, workers)
}

// forwardRow normalises a single row (generation) without goroutines or allocation.
func (l *norm) forwardRow(y, x, stat []float64) {
	g := l.G.Value.RawMatrix().Data
	if l.rms {
		rmsNormForward(y, stat[1:2], x, g, 1, l.dim, l.eps)
		return
	}
	var b []float64
	if l.B != nil {
		b = l.B.Value.RawMatrix().Data
	}
	layerNormForward(y, stat[0:1], stat[1:2], x, g, b, 1, l.dim, l.eps)
}
