package transformer

// Backward adds the gradient of the last Forward's loss with respect to
// every parameter into Param.Grad (call ZeroGrad first unless accumulating
// over micro-batches). It does nothing when that Forward scored no position
// (nil targets or all -1): the loss was the constant 0. In float32 compute
// (SetCompute) the gradients are computed in float32 and added into the
// float64 Param.Grad.
func (m *Model) Backward() { m.backward(nil) }

// backward is Backward and, with dinputs not nil, BackwardInputs (inputs.go).
func (m *Model) backward(dinputs []float64) {
	if a := m.a32; a != nil {
		if a.count > 0 {
			backwardT(m, a, m.w32, m.cos32, m.sin32, dinputs)
		}
		return
	}
	if a := m.a; a != nil && a.count > 0 {
		backwardT(m, a, m.weights64(), m.cos, m.sin, dinputs)
	}
}

// backwardT is backward from the cross-entropy in the precision F.
func backwardT[F float](m *Model, a *acts[F], w *weights[F], cos, sin []F, dinputs []float64) {
	n, V := a.n, m.Config.VocabSize
	parallelRows(n, V, m.workers, func(lo, hi int) {
		crossEntropyBackward(a.dlogits[lo*V:hi*V], a.probs[lo*V:hi*V], a.targets[lo:hi], hi-lo, V, a.count)
	})
	backwardLogits(m, a, w, cos, sin, dinputs)
}

// backwardLogits runs the backward pass from the logit gradients in
// a.dlogits (head, then backwardHidden); dinputs as in backward.
func backwardLogits[F float](m *Model, a *acts[F], w *weights[F], cos, sin []F, dinputs []float64) {
	c := m.Config
	n, D, V := a.n, c.Dim, c.VocabSize
	linearBackward(&m.head, w, gen(a.dhf, n, D, D), gen(a.dlogits, n, V, V), gen(a.hf, n, D, D), true, m.workers)
	backwardHidden(m, a, w, cos, sin, dinputs)
}

// backwardHidden runs the backward pass from the gradient on the final
// norm's output in a.dhf down to the embeddings (and to dinputs, the
// gradients of input vectors, when not nil: BackwardInputs), then adds the
// float32 weight gradients into Param.Grad (float32 compute).
func backwardHidden[F float](m *Model, a *acts[F], w *weights[F], cos, sin []F, dinputs []float64) {
	c := m.Config
	n, D := a.n, c.Dim
	drop := a.dropped
	clear(a.dres)
	normBackward(&m.normF, w, a.dres, a.dhf, a.res[c.Layers], a.meanF, a.rstdF, n, m.workers)
	for l := c.Layers - 1; l >= 0; l-- {
		blockBackward(m, a, w, cos, sin, l, drop)
	}
	if drop {
		mulInPlace(a.dres, a.dropEmb)
	}
	var dwpe []float64
	if m.wpe != nil {
		dwpe = m.wpe.Grad.RawMatrix().Data
	}
	embeddingBackward(m.wte.Grad.RawMatrix().Data, dwpe, dinputs, a.dres, a.ids, a.T, D)
	if !m.keeps32() { // a replica hands its float32 gradients over as they are (GradientParts)
		w.flush(m.params)
	}
}

// blockBackward turns a.dres from ∂L/∂(output of layer l) into ∂L/∂(input
// of layer l), adding the layer's parameter gradients on the way.
func blockBackward[F float](m *Model, a *acts[F], w *weights[F], cos, sin []F, l int, drop bool) {
	c, b := m.Config, &m.blocks[l]
	n, D, Fd := a.n, c.Dim, c.FFDim
	s := c.attnShape(a.B, a.T)
	W, hs := s.qkvWidth(), s.hs

	// MLP branch: res[l+1] = mid + down(act(h2)), h2 = Norm2(mid)
	copy(a.dbranch, a.dres)
	if drop {
		mulInPlace(a.dbranch, a.dropMLP[l])
	}
	// each first product into an activation gradient overwrites it (no clear)
	linearBackward(&b.down, w, gen(a.dact, n, Fd, Fd), gen(a.dbranch, n, D, D), gen(a.act[l], n, Fd, Fd), true, m.workers)
	clear(a.dup)
	if c.MLP == "swiglu" {
		clear(a.dgate)
		parallelRows(n, Fd, m.workers, func(lo, hi int) {
			r := func(s []F) []F { return s[lo*Fd : hi*Fd] }
			swigluBackward(r(a.dgate), r(a.dup), r(a.dact), r(a.gate[l]), r(a.up[l]))
		})
	} else {
		parallelRows(n, Fd, m.workers, func(lo, hi int) {
			geluBackward(a.dup[lo*Fd:hi*Fd], a.dact[lo*Fd:hi*Fd], a.up[l][lo*Fd:hi*Fd], a.geluS[l][lo*Fd:hi*Fd])
		})
	}
	h2 := gen(a.h2[l], n, D, D)
	linearBackward(&b.up, w, gen(a.dh, n, D, D), gen(a.dup, n, Fd, Fd), h2, true, m.workers)
	if c.MLP == "swiglu" {
		linearBackward(&b.gate, w, gen(a.dh, n, D, D), gen(a.dgate, n, Fd, Fd), h2, false, m.workers)
	}
	normBackward(&b.norm2, w, a.dres, a.dh, a.mid[l], a.mean2[l], a.rstd2[l], n, m.workers) // a.dres is now ∂L/∂mid

	// attention branch: mid = res[l] + proj(attention(qkv(h1))), h1 = Norm1(res[l])
	copy(a.dbranch, a.dres)
	if drop {
		mulInPlace(a.dbranch, a.dropAttn[l])
	}
	linearBackward(&b.proj, w, gen(a.dy, n, D, D), gen(a.dbranch, n, D, D), gen(a.y[l], n, D, D), true, m.workers)
	clear(a.dqkv)
	attentionBackward(a.dqkv, a.dy, a.att[l], a.qkv[l], a.scratch, s, m.workers)
	if cos != nil {
		rope(a.dqkv, n, a.T, W, c.Heads+c.KVHeads, hs, cos, sin, true)
	}
	h1 := gen(a.h1[l], n, D, D)
	for i := range b.qkv { // the first overwrites dh, the others add
		linearBackward(&b.qkv[i], w, gen(a.dh, n, D, D), gen(a.dqkv[b.qkvCol[i]:], n, b.qkv[i].out, W), h1, i == 0, m.workers)
	}
	normBackward(&b.norm1, w, a.dres, a.dh, a.res[l], a.mean1[l], a.rstd1[l], n, m.workers) // a.dres is now ∂L/∂res[l]
}
