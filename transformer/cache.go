package transformer

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// Cache runs a model one token at a time for generation. It keeps the
// keys and values of every position already seen (per layer, per key/value
// head), so each new token costs one pass of a single row through the
// model plus attention over the cached past, instead of recomputing the
// whole prefix. The logits of every Push equal (up to rounding) those of a
// full Forward over the same prefix. cache_plain.go holds the same
// single-token pass written with plain loops, the reference to read first.
//
// Context overflow: when Len() == Config.Context, Push returns
// ErrContextFull. Generation can then stop, or call Slide to keep the most
// recent tokens (recomputing their keys and values, since their positions
// change) and continue.
//
// All buffers are allocated by NewCache; Push allocates nothing. A Cache
// reads the model's weights: do not train the model while using it. A
// Cache is not safe for concurrent use.
//
// Generation reads every weight once per token, so its speed is bounded by
// memory bandwidth. NewCacheFloat32 halves the bytes read by keeping a
// float32 copy of the weight matrices (as llama2.c runs), at the cost of
// logits that agree with Forward only to about 1e-5 instead of 1e-9.
type Cache struct {
	m      *Model
	tokens []int       // the ids pushed so far
	k, v   [][]float64 // per layer: (Context x KVHeads·hs); keys after RoPE

	x, h, y, branch []float64 // (D): residual stream, normed input, attention output, branch output
	qkv             []float64 // (H+2·KVH)·hs for the current token
	up, gate, act   []float64 // (F)
	scores          []float64 // (Context)
	logits          []float64 // (V)
	stat            []float64 // norm statistics of the single row

	f32      map[*Param][]float32 // NewCacheFloat32: float32 copies of the weight matrices
	x32, y32 []float32            // their input and output vectors

	mv64 matVec[float64] // the products with float64 weights (NewCache)
	mv32 matVec[float32] // the products with float32 weights (NewCacheFloat32)
}

// ErrContextFull is returned by Cache.Push when the cache already holds
// Config.Context tokens. Generation can continue with Cache.Slide, which
// keeps the most recent tokens and recomputes their keys and values.
var ErrContextFull = errors.New("context full: the model cannot attend to more tokens; slide the window (Cache.Slide) or stop")

// NewCache returns an empty cache for generating with m (on an
// inference-only model, NewInference, the float32 one: NewCacheFloat32).
func (m *Model) NewCache() *Cache {
	c := m.Config
	s := c.attnShape(1, 1)
	kvw := c.KVHeads * s.hs
	cc := &Cache{m: m, tokens: make([]int, 0, c.Context)}
	cc.k, cc.v = layersOf(c.Layers, c.Context*kvw), layersOf(c.Layers, c.Context*kvw)
	cc.x, cc.h, cc.y, cc.branch = floats(c.Dim), floats(c.Dim), floats(c.Dim), floats(c.Dim)
	cc.qkv = floats(s.qkvWidth())
	cc.up, cc.gate, cc.act = floats(c.FFDim), floats(c.FFDim), floats(c.FFDim)
	cc.scores = floats(c.Context)
	cc.logits = floats(c.VocabSize)
	cc.stat = floats(2)
	cc.mv64.init()
	cc.mv32.init()
	if m.inference {
		cc.useFloat32() // an inference-only model has only float32 matrices
	}
	return cc
}

// NewCacheFloat32 is NewCache with the weight matrices copied to float32
// for the matrix-vector products (activations stay float64): about twice as
// fast, logits within about 1e-5 of the float64 ones. The copy is a
// snapshot: make a new cache after changing the weights.
func (m *Model) NewCacheFloat32() *Cache {
	cc := m.NewCache()
	if cc.f32 == nil {
		cc.useFloat32()
	}
	return cc
}

// useFloat32 points the cache at float32 weight matrices: an
// inference-only model's own, or copies of a float64 model's.
func (cc *Cache) useFloat32() {
	m := cc.m
	cc.f32 = make(map[*Param][]float32)
	widest := 0
	mirror := func(l *linear) {
		widest = max(widest, l.in, l.out)
		if _, ok := cc.f32[l.W]; ok {
			return
		}
		if l.W.IsFloat32() {
			cc.f32[l.W] = l.W.Float32()
			return
		}
		src := l.W.Value.RawMatrix().Data
		dst := make([]float32, len(src))
		for i, v := range src {
			dst[i] = float32(v)
		}
		cc.f32[l.W] = dst
	}
	for i := range m.blocks {
		b := &m.blocks[i]
		for j := range b.qkv {
			mirror(&b.qkv[j])
		}
		mirror(&b.proj)
		mirror(&b.up)
		mirror(&b.down)
		if b.gate.W != nil {
			mirror(&b.gate)
		}
	}
	mirror(&m.head)
	cc.x32, cc.y32 = make([]float32, widest), make([]float32, widest)
}

// apply computes y = x·W + b for one row. The cache's precision is chosen
// here, and only here: float64 on the model's own weights, or float32 on
// the copies NewCacheFloat32 made (input rounded to float32, output back
// to float64; the bias is added in float64).
func (c *Cache) apply(l *linear, y, x []float64) {
	if c.f32 == nil {
		c.mv64.gemv(l.W.Value.RawMatrix().Data, x, y, l)
	} else {
		x32, y32 := c.x32[:l.in], c.y32[:l.out]
		for i, v := range x {
			x32[i] = float32(v)
		}
		c.mv32.gemv(c.f32[l.W], x32, y32, l)
		for i, v := range y32 {
			y[i] = float64(v)
		}
	}
	if l.B != nil {
		for i, v := range l.B.Value.RawMatrix().Data {
			y[i] += v
		}
	}
}

// splitGemv is the number of weights from which a matrix-vector product
// is cut in two halves.
const splitGemv = 1 << 17

// matVec runs the matrix-vector products of one cache in precision F. A
// large product is cut in two halves of its outputs and the second half
// runs on a goroutine started for it, which gemv waits for: the goroutine
// lives exactly as long as one product, and none outlives a Push.
type matVec[F float32 | float64] struct {
	parallel bool           // more than one core: run the second half on its own goroutine
	wg       sync.WaitGroup // waits for that goroutine
	second   func()         // computes the second half of the pending product (made once, so starting it allocates nothing)
	w, x, y  []F            // the pending product
	l        *linear
}

func (mv *matVec[F]) init() {
	mv.parallel = defaultWorkers() > 1
	mv.second = func() {
		defer mv.wg.Done()
		gemvRows(mv.w, mv.x, mv.y, mv.l, mv.l.out/2, mv.l.out)
	}
}

// gemv computes y = W·x (l.outIn: W is out x in) or y = Wᵀ·x (W is in x
// out) for the weights w of l. From splitGemv weights on, outputs [0,
// out/2) and [out/2, out) are two separate BLAS calls, the second on its
// own goroutine when there are several cores: the cut depends only on the
// matrix size, so results do not depend on the number of cores.
func (mv *matVec[F]) gemv(w, x, y []F, l *linear) {
	half := l.out / 2
	switch {
	case l.in*l.out < splitGemv:
		gemvRows(w, x, y, l, 0, l.out)
	case !mv.parallel:
		gemvRows(w, x, y, l, 0, half)
		gemvRows(w, x, y, l, half, l.out)
	default:
		mv.w, mv.x, mv.y, mv.l = w, x, y, l
		mv.wg.Add(1)
		go mv.second()
		gemvRows(w, x, y, l, 0, half)
		mv.wg.Wait()
	}
}

// gemvRows computes outputs [lo, hi) of y = W·x (l.outIn, W out x in: rows
// lo..hi of W) or y = Wᵀ·x (W in x out: columns lo..hi of W), with the BLAS
// routine of precision F.
func gemvRows[F float32 | float64](w, x, y []F, l *linear, lo, hi int) {
	tr, rows, cols, stride := blas.NoTrans, hi-lo, l.in, l.in
	if l.outIn {
		w = w[lo*l.in : hi*l.in]
	} else {
		tr, rows, cols, stride = blas.Trans, l.in, hi-lo, l.out
		w = w[lo : (l.in-1)*l.out+hi]
	}
	switch w := any(w).(type) { // F is one of the two: the same call in either precision
	case []float64:
		a := blas64.General{Rows: rows, Cols: cols, Stride: stride, Data: w}
		xv := blas64.Vector{N: l.in, Inc: 1, Data: any(x).([]float64)}
		yv := blas64.Vector{N: hi - lo, Inc: 1, Data: any(y[lo:hi]).([]float64)}
		blas64.Gemv(tr, 1, a, xv, 0, yv)
	case []float32:
		a := blas32.General{Rows: rows, Cols: cols, Stride: stride, Data: w}
		xv := blas32.Vector{N: l.in, Inc: 1, Data: any(x).([]float32)}
		yv := blas32.Vector{N: hi - lo, Inc: 1, Data: any(y[lo:hi]).([]float32)}
		blas32.Gemv(tr, 1, a, xv, 0, yv)
	}
}

// Len is the number of tokens in the cache.
func (c *Cache) Len() int { return len(c.tokens) }

// Tokens returns the ids in the cache, oldest first (shared; do not modify).
func (c *Cache) Tokens() []int { return c.tokens }

// Reset empties the cache.
func (c *Cache) Reset() { c.tokens = c.tokens[:0] }

// Push appends one token and returns the logits (VocabSize) for the token
// that follows. The slice belongs to the cache and is overwritten by the
// next Push; copy it to keep it. It returns ErrContextFull when the cache
// already holds Config.Context tokens.
func (c *Cache) Push(id int) ([]float64, error) {
	cfg := c.m.Config
	if id < 0 || id >= cfg.VocabSize {
		return nil, fmt.Errorf("push: token id %d is outside the vocabulary [0, %d)", id, cfg.VocabSize)
	}
	pos := len(c.tokens)
	if pos >= cfg.Context {
		return nil, ErrContextFull
	}
	c.tokens = append(c.tokens, id)
	m := c.m
	s := cfg.attnShape(1, 1)
	D, H, hs := cfg.Dim, s.H, s.hs
	kvw := s.KVH * hs
	scale := 1 / math.Sqrt(float64(hs))

	embedRow(c.x[:D], m.wte, id)
	if m.wpe != nil {
		addEmbedRow(c.x[:D], m.wpe, pos)
	}
	for l := range m.blocks {
		b := &m.blocks[l]
		b.norm1.forwardRow(c.h, c.x, c.stat)
		for i := range b.qkv {
			c.apply(&b.qkv[i], c.qkv[b.qkvCol[i]:b.qkvCol[i]+b.qkv[i].out], c.h)
		}
		if m.cos != nil {
			ropeRow(c.qkv[:s.vCol(0)], pos, H+s.KVH, hs, m.cos, m.sin, false)
		}
		copy(c.k[l][pos*kvw:(pos+1)*kvw], c.qkv[s.kCol(0):s.vCol(0)])
		copy(c.v[l][pos*kvw:(pos+1)*kvw], c.qkv[s.vCol(0):])
		for h := 0; h < H; h++ {
			g := s.kvHead(h)
			// scores = K_g·q/√hs over positions 0..pos; y_h = V_gᵀ·softmax(scores)
			k := general(c.k[l][g*hs:], pos+1, hs, kvw)
			v := general(c.v[l][g*hs:], pos+1, hs, kvw)
			sc := blas64.Vector{N: pos + 1, Inc: 1, Data: c.scores}
			blas64.Gemv(blas.NoTrans, scale, k, blas64.Vector{N: hs, Inc: 1, Data: c.qkv[s.qCol(h):]}, 0, sc)
			causalSoftmax(c.scores[:pos+1], pos)
			blas64.Gemv(blas.Trans, 1, v, sc, 0, blas64.Vector{N: hs, Inc: 1, Data: c.y[h*hs:]})
		}
		c.apply(&b.proj, c.branch, c.y)
		add(c.x, c.x, c.branch)

		b.norm2.forwardRow(c.h, c.x, c.stat)
		c.apply(&b.up, c.up, c.h)
		if cfg.MLP == "swiglu" {
			c.apply(&b.gate, c.gate, c.h)
			swigluForward(c.act, c.gate, c.up)
		} else {
			geluForward(c.act, nil, c.up)
		}
		c.apply(&b.down, c.branch, c.act)
		add(c.x, c.x, c.branch)
	}
	m.normF.forwardRow(c.h, c.x, c.stat)
	c.apply(&m.head, c.logits, c.h)
	return c.logits, nil
}

// Slide keeps only the last keep tokens of the cache, recomputing their
// keys and values at their new positions (0..keep-1), and returns the
// logits that follow them. Use it after ErrContextFull, e.g. with keep =
// Context/2 to make room for many tokens at the cost of one recomputation.
func (c *Cache) Slide(keep int) ([]float64, error) {
	if keep < 1 || keep > len(c.tokens) {
		return nil, fmt.Errorf("slide: keep %d tokens out of %d: it must be between 1 and the cache length", keep, len(c.tokens))
	}
	old := c.tokens[len(c.tokens)-keep:]
	ids := make([]int, keep)
	copy(ids, old)
	return c.Prefill(ids)
}

// Prefill empties the cache, pushes ids in order and returns the logits
// after the last one.
func (c *Cache) Prefill(ids []int) ([]float64, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("prefill: no tokens")
	}
	c.Reset()
	var logits []float64
	for _, id := range ids {
		var err error
		if logits, err = c.Push(id); err != nil {
			return nil, fmt.Errorf("prefill: %w", err)
		}
	}
	return logits, nil
}
