package transformer

import (
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

// forward: y (N x out) = x (N x in) · W + b
func (l *linear) forward(y, x blas64.General, workers int) {
	beta := 0.0
	if l.B != nil {
		b := l.B.Value.RawMatrix().Data
		for i := 0; i < y.Rows; i++ {
			copy(y.Data[i*y.Stride:i*y.Stride+l.out], b)
		}
		beta = 1
	}
	w := l.W.Value.RawMatrix()
	if l.outIn {
		gemm(blas.NoTrans, blas.Trans, 1, x, blas64.General(w), beta, y, workers)
	} else {
		gemm(blas.NoTrans, blas.NoTrans, 1, x, blas64.General(w), beta, y, workers)
	}
	if l.lora != nil {
		l.lora.forward(y, x, workers)
	}
}

// backward: dx += dy·Wᵀ, dW += xᵀ·dy (or dyᵀ·x when W is out x in), db += Σ_rows dy.
// dx with nil Data skips the input gradient.
func (l *linear) backward(dx, dy, x blas64.General, workers int) {
	if l.lora != nil {
		l.lora.backward(dx, dy, x, workers)
	}
	w := blas64.General(l.W.Value.RawMatrix())
	dw := blas64.General(l.W.Grad.RawMatrix())
	if l.outIn {
		if dx.Data != nil {
			gemm(blas.NoTrans, blas.NoTrans, 1, dy, w, 1, dx, workers)
		}
		if !l.W.Frozen {
			gemm(blas.Trans, blas.NoTrans, 1, dy, x, 1, dw, workers)
		}
	} else {
		if dx.Data != nil {
			gemm(blas.NoTrans, blas.Trans, 1, dy, w, 1, dx, workers)
		}
		if !l.W.Frozen {
			gemm(blas.Trans, blas.NoTrans, 1, x, dy, 1, dw, workers)
		}
	}
	if l.B != nil && !l.B.Frozen {
		db := l.B.Grad.RawMatrix().Data
		for i := 0; i < dy.Rows; i++ {
			row := dy.Data[i*dy.Stride : i*dy.Stride+l.out]
			for j, v := range row {
				db[j] += v
			}
		}
	}
}
