package transformer

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/tick-llm/tick/transformer/vec"
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
// Cache is not safe for concurrent use; different caches may be used on
// different goroutines at once.
//
// Two precisions: the float64 path (NewCache on a training model) gives
// logits within 1e-9 of Forward, for tests and evaluation; the float32 path
// (cache32.go: NewCacheFloat32, NewCache on an inference-only model or
// after Float32Snapshot) keeps the weights, the keys and values and the
// products' inputs and outputs in float32, as llama2.c does, and gives
// logits within about 1e-5 of the float64 ones. Generation reads every weight once per token, so its speed
// is bounded by memory bandwidth: float32 halves the bytes, and its
// products are cut by output rows over every core.
type Cache struct {
	m      *Model
	tokens []int // the ids pushed so far

	f32 *cache32 // the float32 path; nil on the float64 one, which uses the fields below

	k, v            [][]float64 // per layer: (Context x KVHeads·hs); keys after RoPE
	x, h, y, branch []float64   // (D): residual stream, normed input, attention output, branch output
	qkv             []float64   // (H+2·KVH)·hs for the current token
	up, gate, act   []float64   // (F)
	scores          []float64   // (Context)
	logits          []float64   // (V)
	stat            []float64   // norm statistics of the single row

	mv64 matVec // the products
}

// ErrContextFull is returned by Cache.Push when the cache already holds
// Config.Context tokens. Generation can continue with Cache.Slide, which
// keeps the most recent tokens and recomputes their keys and values.
var ErrContextFull = errors.New("context full: the model cannot attend to more tokens; slide the window (Cache.Slide) or stop")

// NewCache returns an empty cache for generating with m: the float64 path
// on a training model, the float32 one on an inference-only model
// (NewInference, which has only float32 matrices) or once Float32Snapshot
// has taken float32 copies of m's matrices.
func (m *Model) NewCache() *Cache {
	if m.inference || m.head.W.f32 != nil {
		return m.NewCacheFloat32()
	}
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
	return cc
}

// NewCacheFloat32 returns an empty cache on the float32 path: weights,
// activations, keys and values in float32, logits within about 1e-5 of the
// float64 ones, several times faster. The weights are m's float32 matrices
// (an inference-only model), its snapshot (Float32Snapshot), or else
// copies rounded for this cache: a snapshot of the weights either way, so
// make a new cache (and a new snapshot) after changing them.
func (m *Model) NewCacheFloat32() *Cache {
	return &Cache{m: m, tokens: make([]int, 0, m.Config.Context), f32: newCache32(m, defaultWorkers())}
}

// GenerationPath says in one line how NewCache will generate with m (the
// precision and the kernels), for the header of a trace or a benchmark. The
// float32 path cuts its products over GOMAXPROCS cores.
func (m *Model) GenerationPath() string {
	if m.inference || m.head.W.f32 != nil {
		return "float32 weights, KV cache and matrix products; " + vec.Kernels() + " kernels"
	}
	return fmt.Sprintf("float64; BLAS backend %s", Backend)
}

// apply computes y = x·W + b for one row with the model's float64 weights.
func (c *Cache) apply(l *linear, y, x []float64) {
	c.mv64.gemv(l.W.Value.RawMatrix().Data, x, y, l)
	if l.B != nil {
		for i, v := range l.B.Value.RawMatrix().Data {
			y[i] += v
		}
	}
}

// splitGemv is the number of weights from which a matrix-vector product
// is cut in two halves.
const splitGemv = 1 << 17

// matVec runs the matrix-vector products of one float64 cache. A large
// product is cut in two halves of its outputs and the second half runs on
// a goroutine started for it, which gemv waits for: the goroutine lives
// exactly as long as one product, and none outlives a Push. (The float32
// path hands its parts to long-lived goroutines instead, cache_crew.go.)
type matVec struct {
	parallel bool           // more than one core: run the second half on its own goroutine
	wg       sync.WaitGroup // waits for that goroutine
	second   func()         // computes the second half of the pending product (made once, so starting it allocates nothing)
	w, x, y  []float64      // the pending product
	l        *linear
}

func (mv *matVec) init() {
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
func (mv *matVec) gemv(w, x, y []float64, l *linear) {
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
// lo..hi of W) or y = Wᵀ·x (W in x out: columns lo..hi of W) with BLAS.
func gemvRows(w, x, y []float64, l *linear, lo, hi int) {
	tr, rows, cols, stride := blas.NoTrans, hi-lo, l.in, l.in
	if l.outIn {
		w = w[lo*l.in : hi*l.in]
	} else {
		tr, rows, cols, stride = blas.Trans, l.in, hi-lo, l.out
		w = w[lo : (l.in-1)*l.out+hi]
	}
	a := blas64.General{Rows: rows, Cols: cols, Stride: stride, Data: w}
	blas64.Gemv(tr, 1, a, blas64.Vector{N: l.in, Inc: 1, Data: x}, 0, blas64.Vector{N: hi - lo, Inc: 1, Data: y[lo:hi]})
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
	if c.f32 != nil {
		return c.f32.push(id, pos), nil
	}
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
