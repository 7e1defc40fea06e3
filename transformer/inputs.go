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
//           x[b,t] = wte[id[b,t]] + wpe[t]  elsewhere (as embeddingForward)
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
	a := m.a
	if a == nil || !a.vectors {
		return fmt.Errorf("backward: the last forward pass read no input vectors; call ForwardInputs first")
	}
	if len(dinputs) != a.n*m.Config.Dim {
		return fmt.Errorf("backward: %d input gradients for %d positions of width %d = %d", len(dinputs), a.n, m.Config.Dim, a.n*m.Config.Dim)
	}
	clear(dinputs) // stays 0 when nothing was scored: the loss was the constant 0
	m.backward(dinputs)
	return nil
}

// inputsForward writes the embeddings of a batch whose positions are tokens
// or input vectors (see the comment at the top of the file).
func inputsForward(x []float64, ids []int, inputs, wte, wpe []float64, t, d int) {
	for i, id := range ids {
		xi := x[i*d : (i+1)*d]
		if id == Vector {
			copy(xi, inputs[i*d:(i+1)*d])
		} else {
			copy(xi, wte[id*d:(id+1)*d])
		}
		if wpe != nil {
			p := wpe[(i%t)*d : (i%t+1)*d]
			for j, v := range p {
				xi[j] += v
			}
		}
	}
}

// inputsBackward scatters dx in row order, as embeddingBackward does; the
// rows of Vector positions go to dinputs (written) instead of dwte.
func inputsBackward(dwte, dwpe, dinputs, dx []float64, ids []int, t, d int) {
	for i, id := range ids {
		dxi := dx[i*d : (i+1)*d]
		if id == Vector {
			if dinputs != nil { // nil from Backward: the parameters' gradients only
				copy(dinputs[i*d:(i+1)*d], dxi)
			}
		} else {
			row := dwte[id*d : (id+1)*d]
			for j, v := range dxi {
				row[j] += v
			}
		}
		if dwpe != nil {
			p := dwpe[(i%t)*d : (i%t+1)*d]
			for j, v := range dxi {
				p[j] += v
			}
		}
	}
}
