package transformer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tick-llm/tick/transformer/vec"
)

// TestCache32SameOnAnyCores: the float32 path gives the same bits whether
// its work is cut into 1, 2, 3 or 7 parts (every product and the attention
// are cut, however small), over a whole context and a Slide, on every
// architecture variant, GPT's (in x out) matrices and Llama's (out x in).
func TestCache32SameOnAnyCores(t *testing.T) {
	for name, cfg := range cacheConfigs(t) {
		t.Run(name, func(t *testing.T) {
			m, _ := New(cfg, 12)
			rng := rand.New(rand.NewPCG(12, 12))
			roughen(m, rng)
			ids := randomTokens(rng, cfg.Context, cfg.VocabSize)
			var want [][]float64
			for _, workers := range []int{1, 2, 3, 7} {
				c := m.NewCacheFloat32()
				c.f32.split.workers, c.f32.split.minWork = workers, 0
				var got [][]float64
				for _, id := range ids {
					l, err := c.Push(id)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, slices.Clone(l))
				}
				l, err := c.Slide(cfg.Context / 2)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, slices.Clone(l))
				if want == nil {
					want = got
					continue
				}
				for p := range want {
					if !slices.Equal(got[p], want[p]) {
						t.Fatalf("%d parts, push %d: logits differ from one part's", workers, p)
					}
				}
			}
		})
	}
}

// TestCache32MatchesPlain: the float32 path against the plain float64
// single-token pass (cache_plain.go), token by token, within 1e-5 of the
// logits' largest magnitude, at the presets' real sizes (llama: grouped-query attention, RoPE, SwiGLU; gpt:
// LayerNorm with bias, learned positions, GELU) with the work cut in two.
func TestCache32MatchesPlain(t *testing.T) {
	for _, name := range []string{"gpt", "llama"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Preset(name)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Context = 48 // enough positions for attention to matter, short enough for the plain pass
			m, err := New(cfg, 13)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(13, 13))
			m.Float32Snapshot() // GPT-2's initialisation: the magnitudes of a real model (roughened weights at this width make activations in the thousands)
			c := m.NewCache()
			if c.f32 == nil {
				t.Fatal("NewCache after Float32Snapshot is not the float32 path")
			}
			c.f32.split.workers, c.f32.split.minWork = 2, 0
			kvw := cfg.KVHeads * cfg.HeadSize()
			k, v := layersOf(cfg.Layers, cfg.Context*kvw), layersOf(cfg.Layers, cfg.Context*kvw)
			for pos, id := range randomTokens(rng, cfg.Context, cfg.VocabSize) {
				want := m.forwardTokenPlain(k, v, id, pos)
				got, err := c.Push(id)
				if err != nil {
					t.Fatal(err)
				}
				scale := 0.0
				for _, w := range want {
					scale = math.Max(scale, math.Abs(w))
				}
				agree(t, fmt.Sprintf("position %d logits", pos), got, want, 1e-5*scale)
			}
		})
	}
}

// TestFloat32Snapshot: NewCache is the float64 path until Float32Snapshot
// and the float32 one after, which reads the snapshot (not the float64
// values changed since) until the next snapshot.
func TestFloat32Snapshot(t *testing.T) {
	cfg := tinyConfigs(t)["llama"]
	m, _ := New(cfg, 14)
	if c := m.NewCache(); c.f32 != nil {
		t.Fatal("NewCache of a training model is the float32 path before any snapshot")
	}
	m.Float32Snapshot()
	before, err := m.NewCache().Push(3)
	if err != nil {
		t.Fatal(err)
	}
	before = slices.Clone(before)
	for _, p := range m.Params() { // change every weight: the snapshot must not follow
		for i := range p.Value.RawMatrix().Data {
			p.Value.RawMatrix().Data[i] *= 2
		}
	}
	same, _ := m.NewCache().Push(3)
	if !slices.Equal(same, before) {
		t.Error("a float32 cache read the float64 values changed after the snapshot")
	}
	m.Float32Snapshot()
	after, _ := m.NewCache().Push(3)
	want, _ := m.NewCacheFloat32().Push(3)
	if slices.Equal(after, before) || !slices.Equal(after, want) {
		t.Error("a new snapshot is not what a new cache reads")
	}
}

// TestCache32PlainKernels: with the assembly turned off (the path of a CPU
// without AVX2+FMA, and of other architectures) the float32 path gives
// the same logits to float32 rounding, every variant.
func TestCache32PlainKernels(t *testing.T) {
	if !vec.Fast {
		t.Skip("the kernels are the plain loops already: every other test runs them")
	}
	defer func() { vec.Fast = true }()
	for name, cfg := range tinyConfigs(t) {
		m, _ := New(cfg, 15)
		rng := rand.New(rand.NewPCG(15, 15))
		roughen(m, rng)
		ids := randomTokens(rng, cfg.Context, cfg.VocabSize)
		var logits [2][][]float64
		for i, fast := range []bool{true, false} {
			vec.Fast = fast
			c := m.NewCacheFloat32()
			for _, id := range ids {
				l, err := c.Push(id)
				if err != nil {
					t.Fatal(err)
				}
				logits[i] = append(logits[i], slices.Clone(l))
			}
		}
		for p := range ids {
			scale := 0.0
			for _, v := range logits[1][p] {
				scale = math.Max(scale, math.Abs(v))
			}
			agree(t, fmt.Sprintf("%s position %d: assembly vs plain kernels", name, p), logits[0][p], logits[1][p], 1e-5*scale)
		}
	}
}

// TestCache32ConcurrentCaches: caches used on several goroutines at once
// (tick serve's sessions) share the crew without mixing up their parts:
// each gives the logits of a cache used alone.
func TestCache32ConcurrentCaches(t *testing.T) {
	cfg := cacheConfigs(t)["llama-split-head"]
	m, _ := New(cfg, 16)
	rng := rand.New(rand.NewPCG(16, 16))
	roughen(m, rng)
	m.Float32Snapshot()
	ids := randomTokens(rng, cfg.Context, cfg.VocabSize)
	run := func() ([][]float64, error) {
		c := m.NewCache()
		c.f32.split.workers, c.f32.split.minWork = 3, 0
		var out [][]float64
		for _, id := range ids {
			l, err := c.Push(id)
			if err != nil {
				return nil, err
			}
			out = append(out, slices.Clone(l))
		}
		return out, nil
	}
	want, err := run()
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	got := make([][][]float64, n)
	errs := make([]error, n)
	done := make(chan int)
	for i := range n {
		go func() {
			got[i], errs[i] = run()
			done <- i
		}()
	}
	for range n {
		<-done
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for p := range want {
			if !slices.Equal(got[i][p], want[p]) {
				t.Fatalf("cache %d of %d at once, push %d: logits differ from a cache used alone", i, n, p)
			}
		}
	}
}

// TestCache32Activations: the MLP activations of the float32 path, which
// take e^x from fastexp (SwiGLU) and gelu.Forward (GELU), against the same
// formulas with math.Exp in float64, rounded to float32 as the path keeps
// them: within one float32 rounding (the exponentials differ by a few
// float64 ulp, far below a float32 ulp, so a result may round the other
// way but no further), over inputs from -30 to 30 and cut into 3 parts.
func TestCache32Activations(t *testing.T) {
	for _, preset := range []string{"gpt", "llama"} {
		cfg, err := Preset(preset)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Layers, cfg.Dim, cfg.FFDim, cfg.Heads, cfg.KVHeads, cfg.Context, cfg.VocabSize = 1, 8, 600, 2, 2, 4, 5
		m, err := New(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		c := m.NewCacheFloat32().f32
		c.blk = &c.blocks[0]
		rng := rand.New(rand.NewPCG(4, 4))
		for j := range c.h {
			c.h[j] = float32(rng.NormFloat64())
		}
		// Weights that spread up and gate over [-30, 30].
		for _, l := range []*lin32{&c.blk.up, &c.blk.gate} {
			for j := range l.w {
				l.w[j] = float32(rng.NormFloat64() * 8)
			}
		}
		for i := range 3 {
			c.mlpRows(i, 3)
		}
		for j, u := range c.up {
			v := float64(u)
			var want float64
			if preset == "llama" {
				a := float64(c.gate[j])
				want = a / (1 + math.Exp(-a)) * v
			} else {
				want = v / (1 + math.Exp(-2*geluScale*(v+0.044715*v*v*v)))
			}
			w32 := float32(want)
			if got := c.act[j]; got != w32 && got != math.Nextafter32(w32, float32(math.Inf(1))) && got != math.Nextafter32(w32, float32(math.Inf(-1))) {
				t.Fatalf("%s: activation %d of up %v: %v, math.Exp gives %v", preset, j, v, got, w32)
			}
		}
	}
}
