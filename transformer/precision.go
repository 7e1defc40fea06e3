package transformer

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/tick-llm/tick/transformer/internal/round32"
)

// Mixed precision, as real trainers do it: the master weights, their
// gradients and the optimiser stay float64 in Param; only the arithmetic of
// Forward and Backward may run in float32, half the bytes and twice the
// SIMD lanes of float64. In float32 Forward rounds every weight into a
// float32 copy once per call (each weight is then used B·T times), runs
// every layer in float32, and Backward adds its float32 weight gradients
// into the float64 Param.Grad at the end. Sums where accuracy matters (norm
// statistics, softmax sums, the loss, the norm, bias and embedding
// gradients) are float64 in both precisions.

// Precision is the arithmetic a model's Forward and Backward run in.
type Precision int

const (
	// Float64 computes in float64: the default of New, and what the
	// gradient checks and the PyTorch float64 tests use.
	Float64 Precision = iota
	// Float32 computes in float32 over float64 master weights (mixed
	// precision): what tick train uses by default.
	Float32
)

// String is the precision's name as the --precision flag spells it.
func (p Precision) String() string {
	switch p {
	case Float64:
		return "float64"
	case Float32:
		return "float32"
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// ParsePrecision reads a precision by its name, float32 or float64.
func ParsePrecision(s string) (Precision, error) {
	switch s {
	case "float64":
		return Float64, nil
	case "float32":
		return Float32, nil
	}
	return 0, fmt.Errorf("unknown precision %q: use float32 or float64", s)
}

// SetCompute sets the precision Forward and Backward compute in. Weights,
// gradients and every public reader stay float64 in both. A model with LoRA
// adapters or one loaded for inference only computes in float64 (or not at
// all); asking those for float32 is an error.
func (m *Model) SetCompute(p Precision) error {
	switch p {
	case Float64:
	case Float32:
		if m.inference {
			return fmt.Errorf("set compute: %w", ErrInferenceOnly)
		}
		if len(m.loras) > 0 {
			return fmt.Errorf("set compute: a model with LoRA adapters computes in float64 only; train it with precision float64")
		}
	default:
		return fmt.Errorf("set compute: unknown precision %d: use Float32 or Float64", int(p))
	}
	if p != m.compute {
		m.a, m.spare, m.a32, m.spare32 = nil, nil, nil, nil
	}
	m.compute = p
	return nil
}

// Compute is the precision Forward and Backward compute in (SetCompute).
func (m *Model) Compute() Precision { return m.compute }

// float is the element type of the layers: one code for both precisions.
type float interface{ ~float32 | ~float64 }

// matrix is a row-major matrix of either precision, rows Stride apart, as
// BLAS reads it (blas64.General or blas32.General).
type matrix[F float] struct {
	Rows, Cols int
	Data       []F
	Stride     int
}

// gen wraps a row-major slice as a matrix of rows x cols whose rows start
// stride elements apart (general for both precisions).
func gen[F float](data []F, rows, cols, stride int) matrix[F] {
	return matrix[F]{Rows: rows, Cols: cols, Data: data[:(rows-1)*stride+cols], Stride: stride}
}

// mm is C = alpha·op(A)·op(B) + beta·C in the matrices' precision: gemm
// (float64) or gemm32 (float32), cut among workers the same way.
func mm[F float](tA, tB blas.Transpose, alpha F, a, b matrix[F], beta F, c matrix[F], workers int) {
	switch ad := any(a.Data).(type) {
	case []float64:
		gemm(tA, tB, float64(alpha), to64(a, ad), to64(b, any(b.Data).([]float64)), float64(beta), to64(c, any(c.Data).([]float64)), workers)
	case []float32:
		gemm32(tA, tB, float32(alpha), to32(a, ad), to32(b, any(b.Data).([]float32)), float32(beta), to32(c, any(c.Data).([]float32)), workers)
	}
}

// innerSize is k, the columns of op(A) for A stored rows×cols.
func innerSize(tA blas.Transpose, rows, cols int) int {
	if tA != blas.NoTrans {
		return rows
	}
	return cols
}

func to64[F float](m matrix[F], d []float64) blas64.General {
	return blas64.General{Rows: m.Rows, Cols: m.Cols, Stride: m.Stride, Data: d}
}

func to32[F float](m matrix[F], d []float32) blas32.General {
	return blas32.General{Rows: m.Rows, Cols: m.Cols, Stride: m.Stride, Data: d}
}

// weights are the parameter values one Forward/Backward computes with and
// the buffers its weight-matrix gradients go to, indexed by Param.idx. In
// float64 (val nil) they are the Params' own Value and Grad; in float32,
// copies: Forward rounds the values, Backward writes the gradients of each
// linear weight (beta 0: fresh, no clearing) and then adds them into
// Param.Grad (flush).
type weights[F float] struct {
	val, grad [][]F
	written   []bool // float32: the gradient of the parameter was written by this Backward
}

// params64 reads and writes the Params themselves (float64 compute).
var params64 = &weights[float64]{}

// value is p's value in the compute precision.
func (w *weights[F]) value(p *Param) []F {
	if w.val == nil {
		return any(p.Value.RawMatrix().Data).([]F)
	}
	return w.val[p.idx]
}

// weights64 is the float64 view of the parameters: the Params themselves.
func (m *Model) weights64() *weights[float64] { return params64 }

// weights32 rounds the parameters into their float32 copies (allocated
// once) for one Forward.
func (m *Model) weights32() *weights[float32] {
	w := m.w32
	if w == nil || len(w.val) != len(m.params) {
		w = &weights[float32]{val: make([][]float32, len(m.params)), grad: make([][]float32, len(m.params)),
			written: make([]bool, len(m.params))}
		for i, p := range m.params {
			w.val[i] = make([]float32, p.Size())
		}
		m.w32 = w
	}
	for i, p := range m.params {
		round32.Round(w.val[i], p.Value.RawMatrix().Data)
	}
	return w
}

// flush adds the float32 gradients written by this Backward into the
// float64 Param.Grad (float64 compute already wrote there: nothing to do).
func (w *weights[F]) flush(params []*Param) {
	if w.val == nil {
		return
	}
	for i, p := range params {
		if !w.written[i] {
			continue
		}
		w.written[i] = false
		g := p.Grad.RawMatrix().Data
		for j, v := range w.grad[i] {
			g[j] += float64(v)
		}
	}
}

// gradOf returns the buffer p's weight gradient goes to and the beta of
// the product that writes it: Param.Grad and 1 (add) in float64, a float32
// buffer and 0 (overwrite, the first product of this Backward) in float32.
func (w *weights[F]) gradOf(p *Param) ([]F, F) {
	if w.val == nil {
		return any(p.Grad.RawMatrix().Data).([]F), 1
	}
	if w.grad[p.idx] == nil {
		w.grad[p.idx] = make([]F, len(w.val[p.idx]))
	}
	if w.written[p.idx] { // a second product into the same weight in one Backward adds
		return w.grad[p.idx], 1
	}
	w.written[p.idx] = true
	return w.grad[p.idx], 0
}

// round64 converts a float32 buffer into a float64 one of the same length
// (allocated on first use in *dst): the public readers of a float32 model.
func round64(dst *[]float64, src []float32) []float64 {
	if len(*dst) != len(src) {
		*dst = make([]float64, len(src))
	}
	for i, v := range src {
		(*dst)[i] = float64(v)
	}
	return *dst
}
