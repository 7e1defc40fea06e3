package transformer

import "fmt"

// acts holds every intermediate of a Forward over a (B, T) batch, and the
// activation gradients Backward needs, in the compute precision F. It is
// allocated once per shape and reused, so steady-state training allocates
// nothing per step. Norm statistics and losses are float64 in both.
type acts[F float] struct {
	B, T, n   int // n = B*T rows
	ids       []int
	targets   []int // nil when Forward had no targets, else targetBuf
	targetBuf []int
	count     int  // scored positions
	dropped   bool // dropout was applied
	vectors   bool // some positions read an input vector (ForwardInputs, inputs.go)

	res                        [][]F       // Layers+1 residual streams (n x D); res[0] = embeddings
	mid                        [][]F       // per layer: residual after attention (n x D)
	h1, h2                     [][]F       // per layer: Norm1 and Norm2 outputs (n x D)
	mean1, rstd1, mean2, rstd2 [][]float64 // per layer: norm statistics (n)
	qkv                        [][]F       // per layer: queries, keys, values (n x (H+2·KVH)·hs), q and k after RoPE
	att                        [][]F       // per layer: softmax weights (B·H x T x T)
	y                          [][]F       // per layer: attention output before the projection (n x D)
	gate, up, act              [][]F       // per layer: MLP pre-activations and activation (n x F); gate only for SwiGLU
	geluS                      [][]F       // per layer, GELU only: σ(2u) of the activation (n x F)
	hf                         []F         // final norm output (n x D)
	meanF, rstdF               []float64   // and its statistics
	logits, probs              []F         // (n x V), (n x V)
	losses                     []float64   // (n)
	branch                     []F         // scratch (n x D): a branch output before its residual add
	dropEmb                    []F         // dropout masks (n x D), allocated when dropout is used
	dropAttn, dropMLP          [][]F

	// gradients, shared by all layers
	dres, dh, dbranch, dy []F // (n x D)
	dqkv                  []F // (n x qkvWidth)
	dgate, dup, dact      []F // (n x F)
	dhf                   []F // (n x D)
	dlogits               []F // (n x V)
	scratch               [][]F
}

func floats(n int) []float64 { return make([]float64, n) }

// layersOf is layersOfT for float64.
func layersOf(layers, n int) [][]float64 { return layersOfT[float64](layers, n) }

// layersOfT makes one buffer of n values per layer.
func layersOfT[F float](layers, n int) [][]F {
	s := make([][]F, layers)
	for i := range s {
		s[i] = make([]F, n)
	}
	return s
}

// activations returns the float64 buffers for a (B, T) batch.
func (m *Model) activations(B, T int) *acts[float64] {
	return activationsOf(m, &m.a, &m.spare, B, T)
}

// activationsOf returns the buffers for a (B, T) batch, *cur after the call.
// The buffers of the last two shapes are kept, so alternating between a
// training and an evaluation shape allocates nothing after the first time.
func activationsOf[F float](m *Model, cur, spare **acts[F], B, T int) *acts[F] {
	if *cur != nil && (*cur).B == B && (*cur).T == T {
		return *cur
	}
	if *spare != nil && (*spare).B == B && (*spare).T == T {
		*cur, *spare = *spare, *cur
		return *cur
	}
	*spare, *cur = *cur, nil
	c := m.Config
	n, D, Fd, V, L := B*T, c.Dim, c.FFDim, c.VocabSize, c.Layers
	W := c.attnShape(B, T).qkvWidth()
	mk := func(n int) []F { return make([]F, n) }
	a := &acts[F]{B: B, T: T, n: n, ids: make([]int, n), targetBuf: make([]int, n)}
	a.res = layersOfT[F](L+1, n*D)
	a.mid, a.h1, a.h2, a.y = layersOfT[F](L, n*D), layersOfT[F](L, n*D), layersOfT[F](L, n*D), layersOfT[F](L, n*D)
	a.mean1, a.rstd1, a.mean2, a.rstd2 = layersOfT[float64](L, n), layersOfT[float64](L, n), layersOfT[float64](L, n), layersOfT[float64](L, n)
	a.qkv = layersOfT[F](L, n*W)
	a.att = layersOfT[F](L, B*c.Heads*T*T)
	a.up, a.act = layersOfT[F](L, n*Fd), layersOfT[F](L, n*Fd)
	if c.MLP == "swiglu" {
		a.gate = layersOfT[F](L, n*Fd)
		a.dgate = mk(n * Fd)
	} else {
		a.geluS = layersOfT[F](L, n*Fd)
	}
	a.hf, a.meanF, a.rstdF = mk(n*D), floats(n), floats(n)
	a.logits, a.probs, a.losses = mk(n*V), mk(n*V), floats(n)
	a.branch = mk(n * D)
	a.dres, a.dh, a.dbranch, a.dy, a.dhf = mk(n*D), mk(n*D), mk(n*D), mk(n*D), mk(n*D)
	a.dqkv = mk(n * W)
	a.dup, a.dact = mk(n*Fd), mk(n*Fd)
	a.dlogits = mk(n * V)
	a.scratch = layersOfT[F](m.workers, T*T)
	*cur = a
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

	if m.compute == Float32 && len(m.loras) > 0 {
		return 0, fmt.Errorf("forward: a model with LoRA adapters computes in float64 only; call SetCompute(Float64) first")
	}

	drop := m.dropoutOn()
	dropSeed := splitmix64(m.dropSeed ^ splitmix64(m.dropStep))
	if drop {
		m.dropStep++
	}
	m.prepareLoRA(m.training, dropSeed)
	if m.compute == Float32 {
		if m.cos != nil && m.cos32 == nil {
			m.cos32, m.sin32 = rounded(m.cos), rounded(m.sin)
		}
		a := activationsOf(m, &m.a32, &m.spare32, B, T)
		return forwardT(m, a, m.weights32(), m.cos32, m.sin32, ids, inputs, targets, drop, dropSeed), nil
	}
	a := m.activations(B, T)
	return forwardT(m, a, m.weights64(), m.cos, m.sin, ids, inputs, targets, drop, dropSeed), nil
}

// forwardT is forward after its checks, in the precision F of a and w;
// cos and sin are the RoPE tables in F (nil without RoPE).
func forwardT[F float](m *Model, a *acts[F], w *weights[F], cos, sin []F, ids []int, inputs []float64, targets []int, drop bool, dropSeed uint64) float64 {
	c := m.Config
	copy(a.ids, ids)
	a.targets = nil
	if targets != nil {
		a.targets = a.targetBuf
		copy(a.targets, targets)
	}
	n, D, V := a.n, c.Dim, c.VocabSize
	a.dropped = drop
	if drop {
		ensureDropout(m, a)
	}

	var wpe []F
	if m.wpe != nil {
		wpe = w.value(m.wpe)
	}
	a.vectors = inputs != nil
	embeddingForward(a.res[0], a.ids, inputs, w.value(m.wte), wpe, a.T, D)
	if drop {
		dropoutMask(a.dropEmb, c.Dropout, dropSeed, 0)
		mulInPlace(a.res[0], a.dropEmb)
	}
	for l := range m.blocks {
		blockForward(m, a, w, cos, sin, l, drop, dropSeed)
	}
	normForward(&m.normF, w, a.hf, a.meanF, a.rstdF, a.res[c.Layers], n, m.workers)
	linearForward(&m.head, w, gen(a.logits, n, V, V), gen(a.hf, n, D, D), m.workers)
	parallelRows(n, V, m.workers, func(lo, hi int) {
		var t []int
		if a.targets != nil {
			t = a.targets[lo:hi]
		}
		crossEntropyForward(a.probs[lo*V:hi*V], a.losses[lo:hi], a.logits[lo*V:hi*V], t, hi-lo, V)
	})
	loss, count := meanLoss(a.losses, a.targets) // in row order, whatever the split
	a.count = count
	return loss
}

// ensureDropout allocates the dropout masks on first use.
func ensureDropout[F float](m *Model, a *acts[F]) {
	if a.dropEmb == nil {
		nd := a.n * m.Config.Dim
		a.dropEmb = make([]F, nd)
		a.dropAttn = layersOfT[F](m.Config.Layers, nd)
		a.dropMLP = layersOfT[F](m.Config.Layers, nd)
	}
}

// blockForward runs layer l: x = x + Attention(Norm1(x)); x = x + MLP(Norm2(x)).
func blockForward[F float](m *Model, a *acts[F], w *weights[F], cos, sin []F, l int, drop bool, dropSeed uint64) {
	c, b := m.Config, &m.blocks[l]
	n, D, Fd := a.n, c.Dim, c.FFDim
	s := c.attnShape(a.B, a.T)
	W, hs := s.qkvWidth(), s.hs

	// attention branch
	normForward(&b.norm1, w, a.h1[l], a.mean1[l], a.rstd1[l], a.res[l], n, m.workers)
	h1 := gen(a.h1[l], n, D, D)
	for i := range b.qkv {
		linearForward(&b.qkv[i], w, gen(a.qkv[l][b.qkvCol[i]:], n, b.qkv[i].out, W), h1, m.workers)
	}
	if cos != nil {
		rope(a.qkv[l], n, a.T, W, c.Heads+c.KVHeads, hs, cos, sin, false)
	}
	attentionForward(a.att[l], a.y[l], a.qkv[l], s, m.workers)
	linearForward(&b.proj, w, gen(a.branch, n, D, D), gen(a.y[l], n, D, D), m.workers)
	if drop {
		dropoutMask(a.dropAttn[l], c.Dropout, dropSeed, uint64(1+2*l))
		mulInPlace(a.branch, a.dropAttn[l])
	}
	add(a.mid[l], a.res[l], a.branch)

	// MLP branch
	normForward(&b.norm2, w, a.h2[l], a.mean2[l], a.rstd2[l], a.mid[l], n, m.workers)
	h2 := gen(a.h2[l], n, D, D)
	linearForward(&b.up, w, gen(a.up[l], n, Fd, Fd), h2, m.workers)
	if c.MLP == "swiglu" {
		linearForward(&b.gate, w, gen(a.gate[l], n, Fd, Fd), h2, m.workers)
		parallelRows(n, Fd, m.workers, func(lo, hi int) {
			swigluForward(a.act[l][lo*Fd:hi*Fd], a.gate[l][lo*Fd:hi*Fd], a.up[l][lo*Fd:hi*Fd])
		})
	} else {
		parallelRows(n, Fd, m.workers, func(lo, hi int) {
			geluForwardT(a.act[l][lo*Fd:hi*Fd], a.geluS[l][lo*Fd:hi*Fd], a.up[l][lo*Fd:hi*Fd])
		})
	}
	linearForward(&b.down, w, gen(a.branch, n, D, D), gen(a.act[l], n, Fd, Fd), m.workers)
	if drop {
		dropoutMask(a.dropMLP[l], c.Dropout, dropSeed, uint64(2+2*l))
		mulInPlace(a.branch, a.dropMLP[l])
	}
	add(a.res[l+1], a.mid[l], a.branch)
}

// add: dst = x + y (the residual connection).
func add[F float](dst, x, y []F) {
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}
