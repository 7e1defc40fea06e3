package transformer

// Token and position embeddings, for ids (B*T, row-major by batch):
// forward:  x[b,t] = wte[id[b,t]] + wpe[t]     (wpe nil with RoPE)
// backward: dwte[id[b,t]] += dx[b,t]; dwpe[t] += dx[b,t]
// x, dx are (B*T x D); wte is (V x D); wpe is (Context x D).
//
// A position whose id is Vector reads its row of inputs instead of a row
// of wte, and its gradient goes to dinputs (ForwardInputs, inputs.go);
// inputs and dinputs are nil when every position is a token.

func embeddingForward[F float](x []F, ids []int, inputs []float64, wte, wpe []F, t, d int) {
	for i, id := range ids {
		xi := x[i*d : (i+1)*d]
		if id == Vector {
			for j, v := range inputs[i*d : (i+1)*d] {
				xi[j] = F(v)
			}
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
// The gradients are float64 in both precisions (Param.Grad itself): a row
// of wte may sum many positions.
func embeddingBackward[F float](dwte, dwpe, dinputs []float64, dx []F, ids []int, t, d int) {
	for i, id := range ids {
		dxi := dx[i*d : (i+1)*d]
		if id == Vector {
			if dinputs != nil {
				for j, v := range dxi {
					dinputs[i*d+j] = float64(v)
				}
			}
		} else {
			row := dwte[id*d : (id+1)*d]
			for j, v := range dxi {
				row[j] += float64(v)
			}
		}
		if dwpe != nil {
			p := dwpe[(i%t)*d : (i%t+1)*d]
			for j, v := range dxi {
				p[j] += float64(v)
			}
		}
	}
}
