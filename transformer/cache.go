package transformer

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Cache runs a model one token at a time for generation. It keeps the
// keys and values of every position already seen (per layer, per key/value
// head), so each new token costs one pass of a single row through the
// model plus attention over the cached past, instead of recomputing the
// whole prefix. The logits of every Push equal (up to rounding) those of a
// full Forward over the same prefix.
//
// Context overflow: when Len() == Config.Context, Push returns
// ErrContextFull. Generation can then stop, or call Slide to keep the most
// recent tokens (recomputing their keys and values, since their positions
// change) and continue.
//
// All buffers are allocated by NewCache; Push allocates nothing. A Cache
// reads the model's weights: do not train the model while using it.
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
}

// NewCache returns an empty cache for generating with m.
func (m *Model) NewCache() *Cache {
	c := m.Config
	hs := c.HeadSize()
	kvw := c.KVHeads * hs
	cc := &Cache{m: m, tokens: make([]int, 0, c.Context)}
	cc.k, cc.v = layersOf(c.Layers, c.Context*kvw), layersOf(c.Layers, c.Context*kvw)
	cc.x, cc.h, cc.y, cc.branch = floats(c.Dim), floats(c.Dim), floats(c.Dim), floats(c.Dim)
	cc.qkv = floats((c.Heads + 2*c.KVHeads) * hs)
	cc.up, cc.gate, cc.act = floats(c.FFDim), floats(c.FFDim), floats(c.FFDim)
	cc.scores = floats(c.Context)
	cc.logits = floats(c.VocabSize)
	cc.stat = floats(2)
	return cc
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
	D, hs := cfg.Dim, cfg.HeadSize()
	H, KVH := cfg.Heads, cfg.KVHeads
	kvw := KVH * hs
	scale := 1 / math.Sqrt(float64(hs))

	copy(c.x, m.wte.Value.RawMatrix().Data[id*D:(id+1)*D])
	if m.wpe != nil {
		p := m.wpe.Value.RawMatrix().Data[pos*D : (pos+1)*D]
		for i, v := range p {
			c.x[i] += v
		}
	}
	for l := range m.blocks {
		b := &m.blocks[l]
		b.norm1.forward(c.h, c.stat[:1], c.stat[1:], c.x, 1)
		for i := range b.qkv {
			b.qkv[i].forwardVec(c.qkv[b.qkvCol[i]:b.qkvCol[i]+b.qkv[i].out], c.h)
		}
		if m.cos != nil {
			ropeRow(c.qkv[:(H+KVH)*hs], pos, H+KVH, hs, m.cos, m.sin, false)
		}
		copy(c.k[l][pos*kvw:(pos+1)*kvw], c.qkv[H*hs:(H+KVH)*hs])
		copy(c.v[l][pos*kvw:(pos+1)*kvw], c.qkv[(H+KVH)*hs:])
		for h := 0; h < H; h++ {
			g := h / (H / KVH)
			// scores = K_g·q/√hs over positions 0..pos; y_h = V_gᵀ·softmax(scores)
			k := general(c.k[l][g*hs:], pos+1, hs, kvw)
			v := general(c.v[l][g*hs:], pos+1, hs, kvw)
			s := blas64.Vector{N: pos + 1, Inc: 1, Data: c.scores}
			blas64.Gemv(blas.NoTrans, scale, k, blas64.Vector{N: hs, Inc: 1, Data: c.qkv[h*hs:]}, 0, s)
			causalSoftmax(c.scores[:pos+1], pos)
			blas64.Gemv(blas.Trans, 1, v, s, 0, blas64.Vector{N: hs, Inc: 1, Data: c.y[h*hs:]})
		}
		b.proj.forwardVec(c.branch, c.y)
		add(c.x, c.x, c.branch)

		b.norm2.forward(c.h, c.stat[:1], c.stat[1:], c.x, 1)
		b.up.forwardVec(c.up, c.h)
		if cfg.MLP == "swiglu" {
			b.gate.forwardVec(c.gate, c.h)
			swigluForward(c.act, c.gate, c.up)
		} else {
			geluForward(c.act, c.up)
		}
		b.down.forwardVec(c.branch, c.act)
		add(c.x, c.x, c.branch)
	}
	m.normF.forward(c.h, c.stat[:1], c.stat[1:], c.x, 1)
	m.head.forwardVec(c.logits, c.h)
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
