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
	return r, nil
}

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
