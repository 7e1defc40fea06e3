package transformer

// Token and position embeddings, for ids (B*T, row-major by batch):
// forward:  x[b,t] = wte[id[b,t]] + wpe[t]     (wpe nil with RoPE)
// backward: dwte[id[b,t]] += dx[b,t]; dwpe[t] += dx[b,t]
// x, dx are (B*T x D); wte is (V x D); wpe is (Context x D).
//
// A position whose id is Vector reads its row of inputs instead of a row
// of wte, and its gradient goes to dinputs (ForwardInputs, inputs.go);
// inputs and dinputs are nil when every position is a token.

func embeddingForward(x []float64, ids []int, inputs, wte, wpe []float64, t, d int) {
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

// embeddingBackward scatters in row order, so repeated ids sum in a fixed
// order. A Vector position's row is written to dinputs (when not nil).
func embeddingBackward(dwte, dwpe, dinputs, dx []float64, ids []int, t, d int) {
	for i, id := range ids {
		dxi := dx[i*d : (i+1)*d]
		if id == Vector {
			if dinputs != nil {
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
