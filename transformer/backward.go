package transformer

// Backward adds the gradient of the last Forward's loss with respect to
// every parameter into Param.Grad (call ZeroGrad first unless accumulating
// over micro-batches). It does nothing when that Forward scored no position
// (nil targets or all -1): the loss was the constant 0.
func (m *Model) Backward() { m.backward(nil) }

// backward is Backward and, with dinputs not nil, BackwardInputs (inputs.go).
func (m *Model) backward(dinputs []float64) {
	a := m.a
	if a == nil || a.count == 0 {
		return
	}
	n, V := a.n, m.Config.VocabSize
	parallelRows(n, V, m.workers, func(lo, hi int) {
		crossEntropyBackward(a.dlogits[lo*V:hi*V], a.probs[lo*V:hi*V], a.targets[lo:hi], hi-lo, V, a.count)
	})
	m.backwardLogits(dinputs)
}

// backwardLogits runs the backward pass from the logit gradients in
// a.dlogits (head, then backwardHidden); dinputs as in backward.
func (m *Model) backwardLogits(dinputs []float64) {
	a, c := m.a, m.Config
	n, D, V := a.n, c.Dim, c.VocabSize
	clear(a.dhf)
	m.head.backward(general(a.dhf, n, D, D), general(a.dlogits, n, V, V), general(a.hf, n, D, D), m.workers)
	m.backwardHidden(dinputs)
}

// backwardHidden runs the backward pass from the gradient on the final
// norm's output in a.dhf down to the embeddings (and to dinputs, the
// gradients of input vectors, when not nil: BackwardInputs).
func (m *Model) backwardHidden(dinputs []float64) {
	a, c := m.a, m.Config
	n, D := a.n, c.Dim
	drop := a.dropped
	clear(a.dres)
	m.normF.backward(a.dres, a.dhf, a.res[c.Layers], a.meanF, a.rstdF, n, m.workers)
	for l := c.Layers - 1; l >= 0; l-- {
		m.blockBackward(l, drop)
	}
	if drop {
		mulInPlace(a.dres, a.dropEmb)
	}
	var dwpe []float64
	if m.wpe != nil {
		dwpe = m.wpe.Grad.RawMatrix().Data
	}
	embeddingBackward(m.wte.Grad.RawMatrix().Data, dwpe, dinputs, a.dres, a.ids, a.T, D)
}

// blockBackward turns a.dres from ∂L/∂(output of layer l) into ∂L/∂(input
// of layer l), adding the layer's parameter gradients on the way.
func (m *Model) blockBackward(l int, drop bool) {
	c, a, b := m.Config, m.a, &m.blocks[l]
	n, D, F := a.n, c.Dim, c.FFDim
	s := c.attnShape(a.B, a.T)
	W, hs := s.qkvWidth(), s.hs

	// MLP branch: res[l+1] = mid + down(act(h2)), h2 = Norm2(mid)
	copy(a.dbranch, a.dres)
	if drop {
		mulInPlace(a.dbranch, a.dropMLP[l])
	}
	clear(a.dact)
	b.down.backward(general(a.dact, n, F, F), general(a.dbranch, n, D, D), general(a.act[l], n, F, F), m.workers)
	clear(a.dup)
	if c.MLP == "swiglu" {
		clear(a.dgate)
		parallelRows(n, F, m.workers, func(lo, hi int) {
			r := func(s []float64) []float64 { return s[lo*F : hi*F] }
			swigluBackward(r(a.dgate), r(a.dup), r(a.dact), r(a.gate[l]), r(a.up[l]))
		})
	} else {
		parallelRows(n, F, m.workers, func(lo, hi int) {
			geluBackward(a.dup[lo*F:hi*F], a.dact[lo*F:hi*F], a.up[l][lo*F:hi*F], a.geluS[l][lo*F:hi*F])
		})
	}
	clear(a.dh)
	h2 := general(a.h2[l], n, D, D)
	b.up.backward(general(a.dh, n, D, D), general(a.dup, n, F, F), h2, m.workers)
	if c.MLP == "swiglu" {
		b.gate.backward(general(a.dh, n, D, D), general(a.dgate, n, F, F), h2, m.workers)
	}
	b.norm2.backward(a.dres, a.dh, a.mid[l], a.mean2[l], a.rstd2[l], n, m.workers) // a.dres is now ∂L/∂mid

	// attention branch: mid = res[l] + proj(attention(qkv(h1))), h1 = Norm1(res[l])
	copy(a.dbranch, a.dres)
	if drop {
		mulInPlace(a.dbranch, a.dropAttn[l])
	}
	clear(a.dy)
	b.proj.backward(general(a.dy, n, D, D), general(a.dbranch, n, D, D), general(a.y[l], n, D, D), m.workers)
	clear(a.dqkv)
	attentionBackward(a.dqkv, a.dy, a.att[l], a.qkv[l], a.scratch, s, m.workers)
	if m.cos != nil {
		rope(a.dqkv, n, a.T, W, c.Heads+c.KVHeads, hs, m.cos, m.sin, true)
	}
	clear(a.dh)
	h1 := general(a.h1[l], n, D, D)
	for i := range b.qkv {
		b.qkv[i].backward(general(a.dh, n, D, D), general(a.dqkv[b.qkvCol[i]:], n, b.qkv[i].out, W), h1, m.workers)
	}
	b.norm1.backward(a.dres, a.dh, a.res[l], a.mean1[l], a.rstd1[l], n, m.workers) // a.dres is now ∂L/∂res[l]
}
