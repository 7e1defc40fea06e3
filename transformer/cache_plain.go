package transformer

import "math"

// forwardTokenPlain is Cache.Push written with plain loops, the version to
// read first: it runs token id at position pos through the model and
// returns the logits (VocabSize) of the token that follows. k and v hold,
// per layer, the keys (after RoPE) and values of positions 0..pos-1
// (Context x KVHeads·hs each); it writes those of pos. Every
// matrix-vector product and the attention over the cached positions is a
// loop here; Push computes the same with BLAS and no allocation.
func (m *Model) forwardTokenPlain(k, v [][]float64, id, pos int) []float64 {
	c := m.Config
	D, F, H, KVH, hs := c.Dim, c.FFDim, c.Heads, c.KVHeads, c.HeadSize()
	kvw := KVH * hs // one position's keys (or values), all key/value heads
	scale := 1 / math.Sqrt(float64(hs))
	x, h, y, branch := floats(D), floats(D), floats(D), floats(D) // residual stream, normed input, attention output, branch output
	qkv := floats((H + 2*KVH) * hs)                               // [H query heads | KVH key heads | KVH value heads] of this token
	up, gate, act := floats(F), floats(F), floats(F)
	stat := floats(2)

	// x = wte[id] + wpe[pos]
	copy(x, m.wte.Value.RawMatrix().Data[id*D:(id+1)*D])
	if m.wpe != nil {
		for i, w := range m.wpe.Value.RawMatrix().Data[pos*D : (pos+1)*D] {
			x[i] += w
		}
	}
	for l := range m.blocks {
		b := &m.blocks[l]
		// attention branch: x += proj(attention(qkv(norm1(x))))
		b.norm1.forwardRow(h, x, stat)
		for i := range b.qkv {
			linearRowPlain(&b.qkv[i], qkv[b.qkvCol[i]:][:b.qkv[i].out], h)
		}
		if m.cos != nil {
			ropeRow(qkv[:(H+KVH)*hs], pos, H+KVH, hs, m.cos, m.sin, false) // queries and keys
		}
		copy(k[l][pos*kvw:(pos+1)*kvw], qkv[H*hs:(H+KVH)*hs])
		copy(v[l][pos*kvw:(pos+1)*kvw], qkv[(H+KVH)*hs:])
		p := floats(pos + 1) // attention weights of one head over positions 0..pos
		for hd := 0; hd < H; hd++ {
			g := hd / (H / KVH) // the key/value head of query head hd
			// y_h = Σ_j softmax_j(q·k_j/√hs)·v_j over the cached positions j <= pos
			attendPlain(p, y[hd*hs:][:hs], qkv[hd*hs:][:hs], pos, scale,
				func(j int) []float64 { return k[l][j*kvw+g*hs:][:hs] },
				func(j int) []float64 { return v[l][j*kvw+g*hs:][:hs] })
		}
		linearRowPlain(&b.proj, branch, y)
		add(x, x, branch)

		// MLP branch: x += down(act(up(norm2(x))))
		b.norm2.forwardRow(h, x, stat)
		linearRowPlain(&b.up, up, h)
		if c.MLP == "swiglu" {
			linearRowPlain(&b.gate, gate, h)
			swigluForward(act, gate, up)
		} else {
			geluForward(act, nil, up)
		}
		linearRowPlain(&b.down, branch, act)
		add(x, x, branch)
	}
	m.normF.forwardRow(h, x, stat)
	logits := floats(c.VocabSize)
	linearRowPlain(&m.head, logits, h)
	return logits
}

// linearRowPlain: y (out) = x (in) · W + b for one row, W as the checkpoint
// stores it: y_j = Σ_i W[j][i]·x_i (outIn, W out x in) or Σ_i x_i·W[i][j]
// (W in x out).
func linearRowPlain(l *linear, y, x []float64) {
	w := l.W.Value.RawMatrix().Data
	for j := range l.out {
		sum := 0.0
		for i := range l.in {
			if l.outIn {
				sum += w[j*l.in+i] * x[i]
			} else {
				sum += x[i] * w[i*l.out+j]
			}
		}
		if l.B != nil {
			sum += l.B.Value.RawMatrix().Data[j]
		}
		y[j] = sum
	}
}
