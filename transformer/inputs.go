package transformer

import "fmt"

// Input vectors: positions that read a vector instead of a token.
//
// A natively multimodal model (GPT-4o) feeds images to the same decoder that
// reads text: an image becomes a sequence of vectors of the model's width D
// (one per patch, made by a learned projection outside this package), and
// those vectors take the place of token embeddings at their positions. From
// the first block on the decoder cannot tell them apart from text: the same
// attention and MLPs read both.
//
// ids marks such a position with Vector; inputs (B*T x D) holds its vector:
// forward:  x[b,t] = inputs[b,t] + wpe[t]   where id[b,t] == Vector
//           x[b,t] = wte[id[b,t]] + wpe[t]  elsewhere (embedding.go does both)
// backward: dinputs[b,t] = dx[b,t]; dwpe[t] += dx[b,t] where id[b,t] == Vector (0 elsewhere)
//           dwte[id[b,t]] += dx[b,t]; dwpe[t] += dx[b,t]  elsewhere
// wpe is nil with RoPE: the positions are then in the rotation of q and k.

// Vector is the id that marks a position of ForwardInputs reading its
// input vector instead of a token embedding.
const Vector = -1

// ForwardInputs is Forward for a batch in which some positions carry an
// input vector instead of a token: where ids[i] is Vector, position i reads
// row i of inputs (B*T x D, row-major; the rows of token positions are
// ignored) in place of a token embedding, and gets its position embedding
// as a token would. Everything after the embedding is Forward's: the same
// blocks, the same loss on the targets that are not -1. Use BackwardInputs
// to reach the gradient of the vectors.
func (m *Model) ForwardInputs(ids []int, inputs []float64, targets []int, B, T int) (float64, error) {
	if n := B * T * m.Config.Dim; B > 0 && T > 0 && len(inputs) != n {
		return 0, fmt.Errorf("forward: %d input values for a batch of %d x %d positions of width %d = %d", len(inputs), B, T, m.Config.Dim, n)
	}
	return m.forward(ids, inputs, targets, B, T)
}

// BackwardInputs is Backward after ForwardInputs: it adds every parameter's
// gradient into Param.Grad, as Backward does, and writes ∂L/∂inputs into
// dinputs (B*T x D), the gradient of the row of each Vector position and 0
// at the token positions. Whatever made the vectors (a patch projection)
// continues the backward pass from dinputs. It returns an error when the
// last forward was not ForwardInputs or dinputs has the wrong length.
func (m *Model) BackwardInputs(dinputs []float64) error {
	n, _, _, ok := m.last()
	vectors := (m.a32 != nil && m.a32.vectors) || (m.a32 == nil && m.a != nil && m.a.vectors)
	if !ok || !vectors {
		return fmt.Errorf("backward: the last forward pass read no input vectors; call ForwardInputs first")
	}
	if len(dinputs) != n*m.Config.Dim {
		return fmt.Errorf("backward: %d input gradients for %d positions of width %d = %d", len(dinputs), n, m.Config.Dim, n*m.Config.Dim)
	}
	clear(dinputs) // stays 0 when nothing was scored: the loss was the constant 0
	m.backward(dinputs)
	return nil
}
