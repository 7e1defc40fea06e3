package transformer

import (
	"math"

	"github.com/tick-llm/tick/internal/hugepage"
	"github.com/tick-llm/tick/transformer/internal/fastexp"
	"github.com/tick-llm/tick/transformer/internal/gelu"
	"github.com/tick-llm/tick/transformer/internal/round32"
	"github.com/tick-llm/tick/transformer/vec"
)

// cache32 is the float32 path of a Cache, the one generation takes: the
// weight matrices, the activations and the keys and values are float32, so
// a token reads half the bytes of the float64 path (generation is bound by
// memory bandwidth), and the products run on the vec kernels. The logits
// come out widened to float64. The residual stream, the norms, the
// softmax's sums and the non-linearities are computed in float64 from the
// float32 values: they are a few thousand numbers per token and cost
// nothing, and they keep the logits within about 1e-5 of the float64
// path's.
//
// Each product is cut by output rows into parts (splitter, cache_crew.go),
// one per core; attention is cut by heads. The pieces of work between two
// products that depend only on the same rows (bias, residual add, SwiGLU)
// are done inside the parts, so a layer has four hand-offs: attention
// (each part takes whole key/value groups: their queries, keys and values,
// RoPE and attention), the output projection, up and gate together, down.
// (With fewer groups than parts, the products go by rows and attention by
// heads, one hand-off more.)
type cache32 struct {
	cfg      Config
	s        attnShape
	wte, wpe []float32 // token (V x D) and position (Context x D, or nil) embeddings
	cos, sin []float64 // RoPE tables (the model's), nil without RoPE
	blocks   []block32
	normF    norm32
	head     lin32

	k, v          [][]float32 // per layer: (Context x KVH·hs), keys after RoPE
	x             []float64   // (D): the residual stream, in float64: it sums every layer's output, and D numbers cost nothing
	h, y, branch  []float32   // (D): normed input, attention output, branch output
	qkv           []float32   // (H+2·KVH)·hs: this token's queries, keys, values
	up, gate, act []float32   // (F)
	up64, act64   []float64   // (F): GELU's input and output, in float64 for gelu.Forward
	scores        []float32   // (H x Context): one row per head, so heads can run in parallel
	logits32      []float32   // (V)
	logits        []float64   // (V), what Push returns

	split splitter
	blk   *block32 // the layer the parts work on
	layer int
	pos   int // the position of the token being pushed

	// The parts, func values made once in newCache32 so that handing one
	// to the crew allocates nothing.
	qkvPart, attnPart, groupPart, projPart, mlpPart, downPart, headPart func(i, n int)
}

// block32 is one transformer block's weights for cache32.
type block32 struct {
	norm1, norm2         norm32
	qkv                  []lin32 // one fused matrix (GPT) or q, k, v (Llama)
	qkvCol               []int   // where each writes in the qkv vector
	proj, up, gate, down lin32
}

// lin32 is a linear layer's float32 weights, laid out as the model's.
type lin32 struct {
	w       []float32 // (out x in) when outIn, else (in x out)
	b       []float32 // (out) or nil
	outIn   bool
	in, out int
}

// norm32 is a LayerNorm or RMSNorm with float32 gain and bias.
type norm32 struct {
	g, b []float32
	rms  bool
	eps  float64
}

// matrix32 returns the float32 values of a weight matrix: an
// inference-only model's own storage, the snapshot Float32Snapshot took of
// a float64 one, or else a fresh copy rounded from the float64 values.
func matrix32(p *Param) []float32 {
	if p.IsFloat32() {
		return p.Float32()
	}
	if p.f32 != nil {
		return p.f32
	}
	return rounded(p.Value.RawMatrix().Data)
}

// vector32 returns a vector parameter (a gain, a bias) in float32: the
// snapshot's, or rounded from the float64 values; nil stays nil.
func vector32(p *Param) []float32 {
	if p == nil {
		return nil
	}
	if p.f32 != nil {
		return p.f32 // Float32Snapshot's
	}
	return rounded(p.Value.RawMatrix().Data)
}

// rounded is a new float32 copy of src, rounded. A large one is held in
// huge pages: generation streams the weights from memory once a token.
func rounded(src []float64) []float32 {
	dst := hugepage.Float32s(len(src))
	round32.Round(dst, src)
	return dst
}

func newLin32(l *linear, mats func(*Param) []float32) lin32 {
	return lin32{w: mats(l.W), b: vector32(l.B), outIn: l.outIn, in: l.in, out: l.out}
}

func newNorm32(n *norm) norm32 {
	return norm32{g: vector32(n.G), b: vector32(n.B), rms: n.rms, eps: n.eps}
}

// newCache32 builds the float32 path for m, with work cut into workers
// parts.
func newCache32(m *Model, workers int) *cache32 {
	cfg := m.Config
	s := cfg.attnShape(1, 1)
	kvw := s.KVH * s.hs
	seen := map[*Param][]float32{} // a tied head is the embedding: one copy serves both
	mats := func(p *Param) []float32 {
		if w, ok := seen[p]; ok {
			return w
		}
		seen[p] = matrix32(p)
		return seen[p]
	}
	c := &cache32{cfg: cfg, s: s, wte: mats(m.wte), cos: m.cos, sin: m.sin}
	if m.wpe != nil {
		c.wpe = mats(m.wpe)
	}
	for i := range m.blocks {
		b := &m.blocks[i]
		var b32 block32
		b32.norm1, b32.norm2 = newNorm32(&b.norm1), newNorm32(&b.norm2)
		for j := range b.qkv {
			b32.qkv = append(b32.qkv, newLin32(&b.qkv[j], mats))
		}
		b32.qkvCol = b.qkvCol
		b32.proj, b32.up, b32.down = newLin32(&b.proj, mats), newLin32(&b.up, mats), newLin32(&b.down, mats)
		if b.gate.W != nil {
			b32.gate = newLin32(&b.gate, mats)
		}
		c.blocks = append(c.blocks, b32)
	}
	c.normF = newNorm32(&m.normF)
	c.head = newLin32(&m.head, mats)
	for range cfg.Layers {
		c.k = append(c.k, hugepage.Float32s(cfg.Context*kvw)) // long contexts: streamed once a token, as the weights
		c.v = append(c.v, hugepage.Float32s(cfg.Context*kvw))
	}
	D, F := cfg.Dim, cfg.FFDim
	c.x, c.h, c.y, c.branch = make([]float64, D), make([]float32, D), make([]float32, D), make([]float32, D)
	c.qkv = make([]float32, s.qkvWidth())
	c.up, c.gate, c.act = make([]float32, F), make([]float32, F), make([]float32, F)
	if cfg.MLP != "swiglu" {
		c.up64, c.act64 = make([]float64, F), make([]float64, F)
	}
	c.scores = make([]float32, s.H*cfg.Context)
	c.logits32, c.logits = make([]float32, cfg.VocabSize), make([]float64, cfg.VocabSize)
	c.split = newSplitter(workers)
	c.qkvPart, c.attnPart, c.groupPart, c.projPart = c.qkvRows, c.attendHeads, c.groups, c.projRows
	c.mlpPart, c.downPart, c.headPart = c.mlpRows, c.downRows, c.headRows
	return c
}

// push runs token id at position pos through the model (the caller has
// checked both) and returns the logits of the next token.
func (c *cache32) push(id, pos int) []float64 {
	cfg, s := c.cfg, c.s
	D, hs, kvw := cfg.Dim, s.hs, s.KVH*s.hs
	c.pos = pos

	// x = wte[id] + wpe[pos]
	for i, w := range c.wte[id*D : (id+1)*D] {
		c.x[i] = float64(w)
	}
	if c.wpe != nil {
		for i, w := range c.wpe[pos*D : (pos+1)*D] {
			c.x[i] += float64(w)
		}
	}
	for l := range c.blocks {
		b := &c.blocks[l]
		c.blk, c.layer = b, l
		// attention branch: x += proj(attention(qkv(norm1(x))))
		b.norm1.row(c.h, c.x)
		attnWork := 2 * s.H * (pos + 1) * hs
		if s.KVH >= c.split.workers {
			// One part per run of key/value groups: its queries, keys and
			// values, RoPE, its slice of the KV cache and its heads'
			// attention, with no hand-off in between.
			c.split.split(len(c.qkv)*D+attnWork, c.groupPart)
		} else { // fewer groups than parts: the products by rows, then attention by heads
			c.split.split(len(c.qkv)*D, c.qkvPart)
			if c.cos != nil {
				rope32(c.qkv[:s.vCol(0)], pos, s.H+s.KVH, hs, c.cos, c.sin)
			}
			copy(c.k[l][pos*kvw:(pos+1)*kvw], c.qkv[s.kCol(0):s.vCol(0)])
			copy(c.v[l][pos*kvw:(pos+1)*kvw], c.qkv[s.vCol(0):])
			c.split.split(attnWork, c.attnPart)
		}
		c.split.split(b.proj.in*b.proj.out, c.projPart) // x += proj(y), row by row

		// MLP branch: x += down(act(up(norm2(x))))
		b.norm2.row(c.h, c.x)
		c.split.split(2*b.up.in*b.up.out, c.mlpPart)
		c.split.split(b.down.in*b.down.out, c.downPart) // x += down(act), row by row
	}
	c.normF.row(c.h, c.x)
	c.split.split(c.head.in*c.head.out, c.headPart)
	return c.logits
}

// qkvRows: part i of n of the query, key and value products.
func (c *cache32) qkvRows(i, n int) {
	b := c.blk
	for j := range b.qkv {
		l := &b.qkv[j]
		lo, hi := span(l.out, i, n)
		l.rows(c.qkv[b.qkvCol[j]:b.qkvCol[j]+l.out], c.h, lo, hi)
	}
}

// groups: part i of n of the key/value groups, everything attention does
// for them: the rows of q, k and v of their heads, RoPE, their keys and
// values into the cache, and their query heads' attention. Every value is
// computed as qkvRows, rope32 and attend compute it, so the bits are those
// of the path by rows.
func (c *cache32) groups(i, n int) {
	s, b, pos := c.s, c.blk, c.pos
	hs, kvw, r := s.hs, s.KVH*s.hs, s.H/s.KVH // r query heads share each group
	glo, ghi := span(s.KVH, i, n)
	if glo == ghi {
		return
	}
	q := [2]int{s.qCol(glo * r), s.qCol(ghi * r)}
	k := [2]int{s.kCol(glo), s.kCol(ghi)}
	v := [2]int{s.vCol(glo), s.vCol(ghi)}
	for j := range b.qkv { // each linear computes the columns of these ranges it holds
		l, col := &b.qkv[j], b.qkvCol[j]
		for _, cols := range [3][2]int{q, k, v} {
			if lo, hi := max(cols[0], col), min(cols[1], col+l.out); lo < hi {
				l.rows(c.qkv[col:col+l.out], c.h, lo-col, hi-col)
			}
		}
	}
	if c.cos != nil {
		rope32(c.qkv[q[0]:q[1]], pos, (ghi-glo)*r, hs, c.cos, c.sin)
		rope32(c.qkv[k[0]:k[1]], pos, ghi-glo, hs, c.cos, c.sin)
	}
	copy(c.k[c.layer][pos*kvw+glo*hs:pos*kvw+ghi*hs], c.qkv[k[0]:k[1]])
	copy(c.v[c.layer][pos*kvw+glo*hs:pos*kvw+ghi*hs], c.qkv[v[0]:v[1]])
	c.attend(glo*r, ghi*r)
}

// attendHeads: part i of n of the query heads' attention.
func (c *cache32) attendHeads(i, n int) { c.attend(span(c.s.H, i, n)) }

// attend runs query heads lo..hi-1 over positions 0..pos:
// y_h = Σ_j softmax_j(q_h·k_j/√hs)·v_j.
func (c *cache32) attend(lo, hi int) {
	s, ctx, pos := c.s, c.cfg.Context, c.pos
	hs, kvw := s.hs, s.KVH*s.hs
	scale := float32(1 / math.Sqrt(float64(hs)))
	k, v := c.k[c.layer], c.v[c.layer]
	for h := lo; h < hi; h++ {
		g := s.kvHead(h)
		q := c.qkv[s.qCol(h) : s.qCol(h)+hs]
		sc := c.scores[h*ctx : h*ctx+pos+1]
		vec.DotRows(sc, k[g*hs:], q, kvw) // q·k_j: head g's keys are hs values every kvw
		for j := range sc {
			sc[j] *= scale
		}
		softmax32(sc)
		y := c.y[h*hs : (h+1)*hs]
		clear(y)
		vec.AxpyRows(y, sc, v[g*hs:], kvw)
	}
}

// projRows: part i of n of x += proj(y).
func (c *cache32) projRows(i, n int) { c.addRows(&c.blk.proj, c.y, i, n) }

// downRows: part i of n of x += down(act).
func (c *cache32) downRows(i, n int) { c.addRows(&c.blk.down, c.act, i, n) }

// addRows: part i of n of the residual add x += l(in), the end of both
// branches of a block.
func (c *cache32) addRows(l *lin32, in []float32, i, n int) {
	lo, hi := span(l.out, i, n)
	l.rows(c.branch, in, lo, hi)
	for j := lo; j < hi; j++ {
		c.x[j] += float64(c.branch[j])
	}
}

// mlpRows: part i of n of act = SwiGLU(gate(h), up(h)) or GELU(up(h)).
func (c *cache32) mlpRows(i, n int) {
	b := c.blk
	lo, hi := span(b.up.out, i, n)
	b.up.rows(c.up, c.h, lo, hi)
	if c.cfg.MLP == "swiglu" {
		b.gate.rows(c.gate, c.h, lo, hi)
		for j := lo; j < hi; j++ {
			a := float64(c.gate[j]) // act = a·σ(a)·up, σ(a) = 1/(1 + e⁻ᵃ)
			c.act[j] = float32(a / (1 + fastexp.Exp(-a)) * float64(c.up[j]))
		}
		return
	}
	// act = GELU(up) = v·σ(2u), u = √(2/π)(v + 0.044715v³), by the float64
	// model's own gelu.Forward (four at a time with AVX2) on this part's rows.
	up, act := c.up64[lo:hi], c.act64[lo:hi]
	for j, v := range c.up[lo:hi] {
		up[j] = float64(v)
	}
	gelu.Forward(act, nil, up)
	for j, v := range act {
		c.act[lo+j] = float32(v)
	}
}

// headRows: part i of n of the logits, widened to float64.
func (c *cache32) headRows(i, n int) {
	lo, hi := span(c.head.out, i, n)
	c.head.rows(c.logits32, c.h, lo, hi)
	for j := lo; j < hi; j++ {
		c.logits[j] = float64(c.logits32[j])
	}
}

// colBlock is how many outputs of an (in x out) product MatVecT adds up at
// a time: 2,048 float32s (8 KB) stay in the L1 cache while every row of W
// adds into them.
const colBlock = 2048

// rows computes outputs lo..hi of y = x·W + b (y_j = Σ_i W[j][i]·x_i for
// out x in, Σ_i x_i·W[i][j] for in x out).
func (l *lin32) rows(y, x []float32, lo, hi int) {
	if l.outIn {
		vec.MatVec(y[lo:hi], l.w[lo*l.in:hi*l.in], x)
	} else {
		for c := lo; c < hi; c += colBlock { // the sum for each output runs over i in order either way
			e := min(c+colBlock, hi)
			vec.MatVecT(y[c:e], l.w, x, l.out, c)
		}
	}
	if l.b != nil {
		for j := lo; j < hi; j++ {
			y[j] += l.b[j]
		}
	}
}

// row normalises the residual stream x into y: (x - mean)/√(var + eps)·g + b
// (LayerNorm) or x/√(mean(x²) + eps)·g (RMSNorm), in float64, rounded to
// float32 at the end.
func (n *norm32) row(y []float32, x []float64) {
	d := float64(len(x))
	mean := 0.0
	if !n.rms {
		for _, v := range x {
			mean += v
		}
		mean /= d
	}
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	r := 1 / math.Sqrt(ss/d+n.eps)
	for j, v := range x {
		t := (v - mean) * r * float64(n.g[j])
		if n.b != nil {
			t += float64(n.b[j])
		}
		y[j] = float32(t)
	}
}

// rope32 rotates each of the nHeads heads of x (hs wide) by the angles of
// position pos, as ropeRow, in float64 from the model's tables.
func rope32(x []float32, pos, nHeads, hs int, cos, sin []float64) {
	half := hs / 2
	cs, sn := cos[pos*half:(pos+1)*half], sin[pos*half:(pos+1)*half]
	for h := range nHeads {
		x1, x2 := x[h*hs:h*hs+half], x[h*hs+half:(h+1)*hs]
		for i := range x1 {
			a, b := float64(x1[i]), float64(x2[i])
			x1[i], x2[i] = float32(a*cs[i]-b*sn[i]), float32(b*cs[i]+a*sn[i])
		}
	}
}

// softmax32 replaces s by softmax(s), the exponentials and their sum in
// float64 (each exponential is kept in s as float32 meanwhile).
func softmax32(s []float32) {
	m := s[0]
	for _, v := range s {
		m = max(m, v)
	}
	sum := 0.0
	for j, v := range s {
		e := math.Exp(float64(v - m))
		s[j] = float32(e)
		sum += e
	}
	inv := 1 / sum
	for j, e := range s {
		s[j] = float32(float64(e) * inv)
	}
}
