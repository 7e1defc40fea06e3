package transformer

import "fmt"

// Data parallelism, as PyTorch's DistributedDataParallel does it across
// GPUs, here across the cores of one CPU: the batch is cut into shares,
// one replica of the model per share runs Forward and Backward on its
// sequences at the same time as the others, and the replicas' gradients
// are summed into the model's before the optimiser step. Each core then
// runs whole layers on its own data instead of meeting the other cores at
// every matrix product, which is what keeps two cores busy on a model this
// small. The sum is the batch's gradient whatever the split: the loss is a
// mean over positions, so each share's gradient counts in proportion to
// the positions it scored (train.Optimizer does the split and the sum).

// Replica returns a model for one share of a batch. It computes with m's
// parameter values (the same matrices, not copies: an optimiser step on m
// moves every replica) and in m's precision, and has gradients,
// activations and dropout state of its own, so replicas can run Forward
// and Backward at the same time on different sequences. A model with LoRA
// adapters or quantized weights, or one loaded for inference only, has no
// replicas.
func (m *Model) Replica() (*Model, error) {
	switch {
	case m.inference:
		return nil, fmt.Errorf("replica: %w", ErrInferenceOnly)
	case len(m.loras) > 0 || m.quantKind != "":
		return nil, fmt.Errorf("replica: a model with LoRA adapters or quantized weights is trained without replicas")
	}
	r := newModel(m.Config)
	for i, p := range r.params {
		src := m.params[i]
		p.Value, p.Decay, p.Frozen = src.Value, src.Decay, src.Frozen
	}
	r.compute, r.workers = m.compute, m.workers
	// The weight matrices get their gradient from their products alone
	// (in float32 a float32 buffer); the embedding's also sums rows.
	r.only32 = make([]bool, len(r.params))
	_, blocks := r.linears()
	for _, l := range blocks {
		r.only32[l.W.idx] = true
	}
	r.only32[r.head.W.idx] = r.head.W != r.wte
	return r, nil
}

// GradientPart is where the last Backward left one parameter's gradient:
// it is Grad64[j] + float64(Grad32[j]), a nil part counting as zero.
type GradientPart struct {
	Grad64 []float64
	Grad32 []float32
}

// GradientParts returns the gradient of every trainable parameter (in
// Trainable order) as the last Backward left it. A model's gradients are
// all in Param.Grad (Grad32 nil). A replica computing in float32 leaves
// its weight matrices' float32 gradients where its products wrote them,
// instead of adding them into Param.Grad (which stays zero and is not
// returned): the sum over replicas then reads them there, one pass over
// every weight fewer per replica.
func (m *Model) GradientParts() []GradientPart {
	kept := m.keeps32()
	var parts []GradientPart
	for _, p := range m.Trainable() {
		var part GradientPart
		if !kept || !m.only32[p.idx] {
			part.Grad64 = p.Grad.RawMatrix().Data
		}
		if kept && m.w32 != nil && m.w32.written[p.idx] {
			part.Grad32 = m.w32.grad[p.idx]
		}
		parts = append(parts, part)
	}
	return parts
}

// keeps32 reports whether Backward keeps the float32 weight gradients
// instead of adding them into Param.Grad: a replica computing in float32.
func (m *Model) keeps32() bool { return m.only32 != nil && m.compute == Float32 }

// SetWorkers sets how many goroutines one Forward or Backward spreads its
// layers over (at least 1; New starts at GOMAXPROCS). Results are the same
// for any number: every product and every layer is cut by its shape only.
func (m *Model) SetWorkers(n int) {
	n = max(n, 1)
	if n != m.workers {
		m.a, m.spare, m.a32, m.spare32 = nil, nil, nil, nil // per-worker scratch is sized by it
	}
	m.workers = n
}
