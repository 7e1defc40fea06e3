package transformer

import (
	"github.com/tick-llm/tick/transformer/internal/normf32"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// linear is a fully connected layer applied to every row of a batch.
//
// Weights are stored exactly as the Hugging Face checkpoint of the family
// stores them, so real weights map in without transposes:
//
//	outIn == false: W is (in x out) and y = x·W + b   (GPT-2's Conv1D: c_attn, c_proj, c_fc)
//	outIn == true:  W is (out x in) and y = x·Wᵀ + b  (torch nn.Linear: Llama's q_proj..., lm_head, tied wte)
//
// BLAS reads either orientation at the same speed, so the choice costs
// nothing at run time.
type linear struct {
	W, B    *Param // B is nil without bias
	outIn   bool
	in, out int
	lora    *LoRA // a low-rank adapter beside W (lora.go), nil without
}

// general wraps a row-major slice as a BLAS matrix of rows x cols whose rows
// start stride elements apart; a column block of a wider matrix is
// general(data[firstCol:], rows, cols, stride).
func general(data []float64, rows, cols, stride int) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: stride, Data: data[:(rows-1)*stride+cols]}
}

// forward is linearForward in float64 on the layer's own Params.
func (l *linear) forward(y, x blas64.General, workers int) {
	linearForward(l, params64, matrix[float64](y), matrix[float64](x), workers)
}

// backward is linearBackward in float64 on the layer's own Params.
func (l *linear) backward(dx, dy, x blas64.General, workers int) {
	linearBackward(l, params64, matrix[float64](dx), matrix[float64](dy), matrix[float64](x), false, workers)
}

// linearForward: y (N x out) = x (N x in) · W + b, with the weights w.
func linearForward[F float](l *linear, w *weights[F], y, x matrix[F], workers int) {
	beta := F(0)
	if l.B != nil {
		b := w.value(l.B)
		for i := 0; i < y.Rows; i++ {
			copy(y.Data[i*y.Stride:i*y.Stride+l.out], b)
		}
		beta = 1
	}
	W := linearWeight(l, w)
	if l.outIn {
		mm(blas.NoTrans, blas.Trans, 1, x, W, beta, y, workers)
	} else {
		mm(blas.NoTrans, blas.NoTrans, 1, x, W, beta, y, workers)
	}
	if l.lora != nil { // float64 only (SetCompute)
		l.lora.forward(to64(y, any(y.Data).([]float64)), to64(x, any(x.Data).([]float64)), workers)
	}
}

// linearWeight is l's W in the compute precision as a matrix of its stored shape.
func linearWeight[F float](l *linear, w *weights[F]) matrix[F] {
	r, c := l.in, l.out
	if l.outIn {
		r, c = l.out, l.in
	}
	return gen(w.value(l.W), r, c, c)
}

// linearBackward: dx += dy·Wᵀ, dW += xᵀ·dy (or dyᵀ·x when W is out x in),
// db += Σ_rows dy. dx with nil Data skips the input gradient. dW goes where
// w says (Param.Grad in float64, a float32 buffer added into it later); db
// sums into Param.Grad in float64 in both precisions. With fresh, dx is
// overwritten instead (beta 0: the caller need not clear it first).
func linearBackward[F float](l *linear, w *weights[F], dx, dy, x matrix[F], fresh bool, workers int) {
	if l.lora != nil {
		if fresh && dx.Data != nil { // the adapter adds into dx first: start it at 0
			for i := 0; i < dx.Rows; i++ {
				clear(dx.Data[i*dx.Stride : i*dx.Stride+dx.Cols])
			}
			fresh = false
		}
		var dx64 blas64.General
		if dx.Data != nil {
			dx64 = to64(dx, any(dx.Data).([]float64))
		}
		l.lora.backward(dx64, to64(dy, any(dy.Data).([]float64)), to64(x, any(x.Data).([]float64)), workers)
	}
	W := linearWeight(l, w)
	dxBeta := F(1)
	if fresh {
		dxBeta = 0
	}
	if l.outIn {
		if dx.Data != nil {
			mm(blas.NoTrans, blas.NoTrans, 1, dy, W, dxBeta, dx, workers)
		}
		if !l.W.Frozen {
			g, beta := w.gradOf(l.W)
			mm(blas.Trans, blas.NoTrans, 1, dy, x, beta, gen(g, l.out, l.in, l.in), workers)
		}
	} else {
		if dx.Data != nil {
			mm(blas.NoTrans, blas.Trans, 1, dy, W, dxBeta, dx, workers)
		}
		if !l.W.Frozen {
			g, beta := w.gradOf(l.W)
			mm(blas.Trans, blas.NoTrans, 1, x, dy, beta, gen(g, l.in, l.out, l.out), workers)
		}
	}
	if l.B != nil && !l.B.Frozen {
		db := l.B.Grad.RawMatrix().Data
		if dy32, ok := any(dy.Data).([]float32); ok { // the same sums, 8 columns at a time
			normf32.AddRows(db[:l.out], dy32, dy.Rows, dy.Stride)
			return
		}
		for i := 0; i < dy.Rows; i++ {
			row := dy.Data[i*dy.Stride : i*dy.Stride+l.out]
			for j, v := range row {
				db[j] += float64(v)
			}
		}
	}
}
