package transformer

import (
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
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

	jobs chan gemvJob  // to the helper goroutine (nil on one core)
	done chan struct{} // from the helper
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
	if defaultWorkers() > 1 {
		cc.jobs, cc.done = make(chan gemvJob), make(chan struct{})
		go helper(cc.jobs, cc.done)
		runtime.AddCleanup(cc, func(jobs chan gemvJob) { close(jobs) }, cc.jobs)
	}
	return cc
}

// NewCacheFloat32 is NewCache with the weight matrices copied to float32
// for the matrix-vector products (activations stay float64): about twice as
// fast, logits within about 1e-5 of the float64 ones. The copy is a
// snapshot: make a new cache after changing the weights.
func (m *Model) NewCacheFloat32() *Cache {
	cc := m.NewCache()
	cc.f32 = make(map[*Param][]float32)
	widest := 0
	mirror := func(l *linear) {
		widest = max(widest, l.in, l.out)
		if _, ok := cc.f32[l.W]; ok {
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
	return cc
}

// apply computes y = x·W + b for one row with the cache's precision.
// Large matrices are split in two halves of their outputs, the second
// computed by the cache's helper goroutine: the split depends only on the
// matrix size, so results do not depend on the number of cores.
func (c *Cache) apply(l *linear, y, x []float64) {
	r, k := l.W.Value.Dims()
	j := gemvJob{rows: r, cols: k, outIn: l.outIn, lo: 0, hi: l.out, x64: x, y64: y}
	if w, ok := c.f32[l.W]; ok {
		j.w32, j.x32, j.y32 = w, c.x32[:l.in], c.y32[:l.out]
		for i, v := range x {
			j.x32[i] = float32(v)
		}
	} else {
		j.w64 = l.W.Value.RawMatrix().Data
	}
	if r*k < splitGemv {
		j.run()
	} else {
		second := j
		j.hi = l.out / 2
		second.lo = j.hi
		if c.jobs != nil {
			c.jobs <- second
			j.run()
			<-c.done
		} else {
			j.run()
			second.run()
		}
	}
	if j.w32 != nil {
		for i, v := range j.y32 {
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
// is split between two goroutines.
const splitGemv = 1 << 17

// gemvJob computes outputs [lo, hi) of y = W·x (W out x in) or y = Wᵀ·x
// (W in x out) for one weight matrix of rows x cols, in float64 (w64,
// x64, y64) or float32 (w32, x32, y32).
type gemvJob struct {
	w64, x64, y64 []float64
	w32, x32, y32 []float32
	rows, cols    int
	outIn         bool
	lo, hi        int
}

func (j *gemvJob) run() {
	n := j.hi - j.lo
	if j.w32 != nil {
		x := blas32.Vector{N: len(j.x32), Inc: 1, Data: j.x32}
		y := blas32.Vector{N: n, Inc: 1, Data: j.y32[j.lo:j.hi]}
		if j.outIn {
			w := blas32.General{Rows: n, Cols: j.cols, Stride: j.cols, Data: j.w32[j.lo*j.cols : j.hi*j.cols]}
			blas32.Gemv(blas.NoTrans, 1, w, x, 0, y)
		} else {
			w := blas32.General{Rows: j.rows, Cols: n, Stride: j.cols, Data: j.w32[j.lo : (j.rows-1)*j.cols+j.hi]}
			blas32.Gemv(blas.Trans, 1, w, x, 0, y)
		}
		return
	}
	x := blas64.Vector{N: len(j.x64), Inc: 1, Data: j.x64}
	y := blas64.Vector{N: n, Inc: 1, Data: j.y64[j.lo:j.hi]}
	if j.outIn {
		w := blas64.General{Rows: n, Cols: j.cols, Stride: j.cols, Data: j.w64[j.lo*j.cols : j.hi*j.cols]}
		blas64.Gemv(blas.NoTrans, 1, w, x, 0, y)
	} else {
		w := blas64.General{Rows: j.rows, Cols: n, Stride: j.cols, Data: j.w64[j.lo : (j.rows-1)*j.cols+j.hi]}
		blas64.Gemv(blas.Trans, 1, w, x, 0, y)
	}
}

// helper runs the second halves of split products until jobs is closed
// (by a cleanup once the Cache is unreachable). It must not refer to the
// Cache itself, or the Cache would never become unreachable.
func helper(jobs <-chan gemvJob, done chan<- struct{}) {
	for j := range jobs {
		j.run()
		done <- struct{}{}
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
		b.norm1.forwardRow(c.h, c.x, c.stat)
		for i := range b.qkv {
			c.apply(&b.qkv[i], c.qkv[b.qkvCol[i]:b.qkvCol[i]+b.qkv[i].out], c.h)
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
