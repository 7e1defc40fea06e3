package transformer

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/tick-llm/tick/internal/hugepage"
	"github.com/tick-llm/tick/transformer/internal/round32"
)

// An inference-only model (NewInference) is what generation needs and no
// more: every weight matrix (embeddings, the linear layers, the head) is
// stored once, in float32, and no parameter has a gradient. A training
// model holds each parameter twice in float64 (Value and Grad, 16 bytes);
// this one holds the matrices in 4 bytes, so GPT-2 124M takes about 0.5 GB
// instead of 2 GB. Norm gains and biases, a few thousand numbers, stay
// float64 (Value) so the norms run the same code.
//
// It runs only through a Cache (NewCache gives the float32 one, since there
// is no float64 copy to read): Forward returns ErrInferenceOnly, Backward
// does nothing (there is no Forward to differentiate), Trainable is empty,
// and Save, AddLoRA and QuantizeBase return ErrInferenceOnly.

// ErrInferenceOnly is returned by the methods that need float64 weights or
// gradients when the model was built by NewInference.
var ErrInferenceOnly = errors.New("this model was loaded for inference only (float32 weights, no gradients): generate with it, or load it with its float64 loader to train, evaluate or inspect a full forward pass")

// NewInference builds an inference-only model of cfg: its matrices are
// float32 zeros until a loader fills them (Param.Float32 or Param.Load32),
// its vectors float64 zeros in Value, and no parameter has a Grad.
func NewInference(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return buildModel(cfg, true), nil
}

// InferenceOnly reports whether the model was built by NewInference.
func (m *Model) InferenceOnly() bool { return m.inference }

func newMatrix32(name string, rows, cols int, init initKind) *Param {
	return &Param{Name: name, Decay: true, shape: []int{rows, cols}, init: init}
}

func newVector32(name string, n int, init initKind) *Param {
	return &Param{Name: name, Value: mat.NewDense(1, n, nil), shape: []int{n}, init: init}
}

// IsFloat32 reports whether the parameter is stored in float32 (a matrix of
// an inference-only model; Value and Grad are then nil).
func (p *Param) IsFloat32() bool { return p.Value == nil }

// Float32 returns the float32 storage of a matrix of an inference-only
// model, row-major in the shape of Shape (allocated, zero, on first use),
// or nil for a float64 parameter.
func (p *Param) Float32() []float32 {
	if !p.IsFloat32() {
		return nil
	}
	if p.f32 == nil {
		p.f32 = hugepage.Float32s(p.Size()) // generation streams them once a token
	}
	return p.f32
}

// Load32 sets the parameter's values from data, row-major in the shape of
// Shape: a float32 parameter takes data itself as its storage (no copy; the
// caller must not reuse it), a float64 one gets the values widened exactly.
func (p *Param) Load32(data []float32) error {
	if len(data) != p.Size() {
		return fmt.Errorf("%s: %d values for shape %v (%d)", p.Name, len(data), p.shape, p.Size())
	}
	if p.IsFloat32() {
		p.f32 = data
		return nil
	}
	dst := p.Value.RawMatrix().Data
	for i, v := range data {
		dst[i] = float64(v)
	}
	return nil
}

// embedRow copies row r of an embedding matrix (float64 or float32) into dst.
func embedRow(dst []float64, p *Param, r int) {
	n := len(dst)
	if p.IsFloat32() {
		for i, v := range p.Float32()[r*n : (r+1)*n] {
			dst[i] = float64(v)
		}
		return
	}
	copy(dst, p.Value.RawMatrix().Data[r*n:(r+1)*n])
}

// addEmbedRow adds row r of an embedding matrix (float64 or float32) to dst.
func addEmbedRow(dst []float64, p *Param, r int) {
	n := len(dst)
	if p.IsFloat32() {
		for i, v := range p.Float32()[r*n : (r+1)*n] {
			dst[i] += float64(v)
		}
		return
	}
	for i, v := range p.Value.RawMatrix().Data[r*n : (r+1)*n] {
		dst[i] += v
	}
}

// Float32Snapshot stores a float32 copy of every parameter of m beside its
// float64 values, and from then on NewCache gives float32 caches that
// read the copy: the conversion happens once, when a model is loaded for
// generation, not once per cache. Forward, training and the float64
// values are untouched, but the snapshot does not follow them: take it
// after the last change to the weights (call it again after one). On an
// inference-only model it does nothing (its matrices are float32 already).
func (m *Model) Float32Snapshot() {
	if m.inference {
		return
	}
	// One buffer for every parameter (matrices, and the gains and biases
	// too, so that the snapshot is the whole model), in huge pages: a token
	// streams all the weights from memory.
	sizes := make([]int, len(m.params))
	for i, p := range m.params {
		sizes[i] = p.Size()
	}
	bufs := hugepage.Float32Slices(sizes)
	for i, p := range m.params {
		p.f32 = bufs[i]
		round32.Round(p.f32, p.Value.RawMatrix().Data)
	}
}
