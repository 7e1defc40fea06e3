package transformer

import "fmt"

// acts holds every intermediate of a Forward over a (B, T) batch, and the
// activation gradients Backward needs. It is allocated once per shape and
// reused, so steady-state training allocates nothing per step.
type acts struct {
	B, T, n   int // n = B*T rows
	ids       []int
	targets   []int // nil when Forward had no targets, else targetBuf
	targetBuf []int
	count     int  // scored positions
	dropped   bool // dropout was applied
	vectors   bool // some positions read an input vector (ForwardInputs, inputs.go)

	res                        [][]float64 // Layers+1 residual streams (n x D); res[0] = embeddings
	mid                        [][]float64 // per layer: residual after attention (n x D)
	h1, h2                     [][]float64 // per layer: Norm1 and Norm2 outputs (n x D)
	mean1, rstd1, mean2, rstd2 [][]float64 // per layer: norm statistics (n)
	qkv                        [][]float64 // per layer: queries, keys, values (n x (H+2·KVH)·hs), q and k after RoPE
	att                        [][]float64 // per layer: softmax weights (B·H x T x T)
	y                          [][]float64 // per layer: attention output before the projection (n x D)
	gate, up, act              [][]float64 // per layer: MLP pre-activations and activation (n x F); gate only for SwiGLU
	geluS                      [][]float64 // per layer, GELU only: σ(2u) of the activation (n x F)
	hf, meanF, rstdF           []float64   // final norm output (n x D) and statistics
	logits, probs, losses      []float64   // (n x V), (n x V), (n)
	branch                     []float64   // scratch (n x D): a branch output before its residual add
	dropEmb                    []float64   // dropout masks (n x D), allocated when dropout is used
	dropAttn, dropMLP          [][]float64

	// gradients, shared by all layers
	dres, dh, dbranch, dy []float64 // (n x D)
	dqkv                  []float64 // (n x qkvWidth)
	dgate, dup, dact      []float64 // (n x F)
	dhf                   []float64 // (n x D)
	dlogits               []float64 // (n x V)
	scratch               [][]float64
}

func floats(n int) []float64 { return make([]float64, n) }

func layersOf(layers, n int) [][]float64 {
	s := make([][]float64, layers)
	for i := range s {
		s[i] = floats(n)
	}
	return s
}

// activations returns the buffers for a (B, T) batch. The buffers of the
// last two shapes are kept, so alternating between a training and an
// evaluation shape allocates nothing after the first time.
func (m *Model) activations(B, T int) *acts {
	if m.a != nil && m.a.B == B && m.a.T == T {
		return m.a
	}
	if m.spare != nil && m.spare.B == B && m.spare.T == T {
		m.a, m.spare = m.spare, m.a
		return m.a
	}
	m.spare, m.a = m.a, nil
	c := m.Config
	n, D, F, V, L := B*T, c.Dim, c.FFDim, c.VocabSize, c.Layers
	W := c.attnShape(B, T).qkvWidth()
	a := &acts{B: B, T: T, n: n, ids: make([]int, n), targetBuf: make([]int, n)}
	a.res = layersOf(L+1, n*D)
	a.mid, a.h1, a.h2, a.y = layersOf(L, n*D), layersOf(L, n*D), layersOf(L, n*D), layersOf(L, n*D)
	a.mean1, a.rstd1, a.mean2, a.rstd2 = layersOf(L, n), layersOf(L, n), layersOf(L, n), layersOf(L, n)
	a.qkv = layersOf(L, n*W)
	a.att = layersOf(L, B*c.Heads*T*T)
	a.up, a.act = layersOf(L, n*F), layersOf(L, n*F)
	if c.MLP == "swiglu" {
		a.gate = layersOf(L, n*F)
		a.dgate = floats(n * F)
	} else {
		a.geluS = layersOf(L, n*F)
	}
	a.hf, a.meanF, a.rstdF = floats(n*D), floats(n), floats(n)
	a.logits, a.probs, a.losses = floats(n*V), floats(n*V), floats(n)
	a.branch = floats(n * D)
	a.dres, a.dh, a.dbranch, a.dy, a.dhf = floats(n*D), floats(n*D), floats(n*D), floats(n*D), floats(n*D)
	a.dqkv = floats(n * W)
	a.dup, a.dact = floats(n*F), floats(n*F)
	a.dlogits = floats(n * V)
	a.scratch = layersOf(m.workers, T*T)
	m.a = a
	return a
}

// Forward runs the model on a batch of B sequences of T token IDs (ids and
// targets are B*T, row-major by sequence) and returns the mean cross-entropy
// over the scored positions: those whose target is not -1. With nil targets
// (inference) or no scored position the loss is 0. Every intermediate is
// kept for Backward and inspection.
func (m *Model) Forward(ids, targets []int, B, T int) (float64, error) {
	return m.forward(ids, nil, targets, B, T)
}

// forward is Forward and, with inputs not nil, ForwardInputs: the
// positions whose id is Vector read their row of inputs (inputs.go).
func (m *Model) forward(ids []int, inputs []float64, targets []int, B, T int) (float64, error) {
	c := m.Config
	if m.inference {
		return 0, fmt.Errorf("forward: %w", ErrInferenceOnly)
	}
	if B <= 0 || T <= 0 {
		return 0, fmt.Errorf("forward: batch %d x %d: both sizes must be positive", B, T)
	}
	if T > c.Context {
		return 0, fmt.Errorf("forward: sequence length %d exceeds the context of %d tokens; use shorter sequences", T, c.Context)
	}
	if len(ids) != B*T {
		return 0, fmt.Errorf("forward: %d ids for a batch of %d x %d = %d", len(ids), B, T, B*T)
	}
	if targets != nil && len(targets) != B*T {
		return 0, fmt.Errorf("forward: %d targets for a batch of %d x %d = %d", len(targets), B, T, B*T)
	}
	for i, id := range ids {
		if id == Vector && inputs != nil {
			continue
		}
		if id < 0 || id >= c.VocabSize {
			return 0, fmt.Errorf("forward: token id %d at position %d is outside the vocabulary [0, %d)", id, i, c.VocabSize)
		}
	}
	for i, t := range targets {
		if t < -1 || t >= c.VocabSize {
			return 0, fmt.Errorf("forward: target %d at position %d is outside the vocabulary [0, %d) (use -1 to skip a position)", t, i, c.VocabSize)
		}
	}

	a := m.activations(B, T)
	copy(a.ids, ids)
	a.targets = nil
	if targets != nil {
		a.targets = a.targetBuf
		copy(a.targets, targets)
	}
	n, D, V := a.n, c.Dim, c.VocabSize
	drop := m.dropoutOn()
	a.dropped = drop
	if drop {
		m.ensureDropout(a)
	}
	dropSeed := splitmix64(m.dropSeed ^ splitmix64(m.dropStep))
	if drop {
		m.dropStep++
	}
	m.prepareLoRA(m.training, dropSeed)

	var wpe []float64
	if m.wpe != nil {
		wpe = m.wpe.Value.RawMatrix().Data
	}
	a.vectors = inputs != nil
	embeddingForward(a.res[0], a.ids, inputs, m.wte.Value.RawMatrix().Data, wpe, T, D)
	if drop {
		dropoutMask(a.dropEmb, c.Dropout, dropSeed, 0)
		mulInPlace(a.res[0], a.dropEmb)
	}
	for l := range m.blocks {
		m.blockForward(l, drop, dropSeed)
	}
	m.normF.forward(a.hf, a.meanF, a.rstdF, a.res[c.Layers], n, m.workers)
	m.head.forward(general(a.logits, n, V, V), general(a.hf, n, D, D), m.workers)
	parallelRows(n, V, m.workers, func(lo, hi int) {
		var t []int
		if a.targets != nil {
			t = a.targets[lo:hi]
		}
		crossEntropyForward(a.probs[lo*V:hi*V], a.losses[lo:hi], a.logits[lo*V:hi*V], t, hi-lo, V)
	})
	loss, count := meanLoss(a.losses, a.targets) // in row order, whatever the split
	a.count = count
	return loss, nil
}

// ensureDropout allocates the dropout masks on first use.
func (m *Model) ensureDropout(a *acts) {
	if a.dropEmb == nil {
		nd := a.n * m.Config.Dim
		a.dropEmb = floats(nd)
		a.dropAttn = layersOf(m.Config.Layers, nd)
		a.dropMLP = layersOf(m.Config.Layers, nd)
	}
}

// blockForward runs layer l: x = x + Attention(Norm1(x)); x = x + MLP(Norm2(x)).
func (m *Model) blockForward(l int, drop bool, dropSeed uint64) {
	c, a, b := m.Config, m.a, &m.blocks[l]
	n, D, F := a.n, c.Dim, c.FFDim
	s := c.attnShape(a.B, a.T)
	W, hs := s.qkvWidth(), s.hs

	// attention branch
	b.norm1.forward(a.h1[l], a.mean1[l], a.rstd1[l], a.res[l], n, m.workers)
	h1 := general(a.h1[l], n, D, D)
	for i := range b.qkv {
		b.qkv[i].forward(general(a.qkv[l][b.qkvCol[i]:], n, b.qkv[i].out, W), h1, m.workers)
	}
	if m.cos != nil {
		rope(a.qkv[l], n, a.T, W, c.Heads+c.KVHeads, hs, m.cos, m.sin, false)
	}
	attentionForward(a.att[l], a.y[l], a.qkv[l], s, m.workers)
	b.proj.forward(general(a.branch, n, D, D), general(a.y[l], n, D, D), m.workers)
	if drop {
		dropoutMask(a.dropAttn[l], c.Dropout, dropSeed, uint64(1+2*l))
		mulInPlace(a.branch, a.dropAttn[l])
	}
	add(a.mid[l], a.res[l], a.branch)

	// MLP branch
	b.norm2.forward(a.h2[l], a.mean2[l], a.rstd2[l], a.mid[l], n, m.workers)
	h2 := general(a.h2[l], n, D, D)
	b.up.forward(general(a.up[l], n, F, F), h2, m.workers)
	if c.MLP == "swiglu" {
		b.gate.forward(general(a.gate[l], n, F, F), h2, m.workers)
		parallelRows(n, F, m.workers, func(lo, hi int) {
			swigluForward(a.act[l][lo*F:hi*F], a.gate[l][lo*F:hi*F], a.up[l][lo*F:hi*F])
		})
	} else {
		parallelRows(n, F, m.workers, func(lo, hi int) {
			geluForward(a.act[l][lo*F:hi*F], a.geluS[l][lo*F:hi*F], a.up[l][lo*F:hi*F])
		})
	}
	b.down.forward(general(a.branch, n, D, D), general(a.act[l], n, F, F), m.workers)
	if drop {
		dropoutMask(a.dropMLP[l], c.Dropout, dropSeed, uint64(2+2*l))
		mulInPlace(a.branch, a.dropMLP[l])
	}
	add(a.res[l+1], a.mid[l], a.branch)
}

// add: dst = x + y (the residual connection).
func add(dst, x, y []float64) {
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}
