package transformer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCacheMatchesForward: token by token through the KV cache gives the
// same logits (to 1e-9) as a full Forward over the same prefix, for both
// presets and mixed configurations; then the context limit and Slide.
func TestCacheMatchesForward(t *testing.T) {
	for name, cfg := range cacheConfigs(t) {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 2)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(8, 8))
			roughen(m, rng)
			ids := randomTokens(rng, cfg.Context, cfg.VocabSize)
			c := m.NewCache()
			for pos, id := range ids {
				got, err := c.Push(id)
				if err != nil {
					t.Fatal(err)
				}
				T := pos + 1
				if _, err := m.Forward(ids[:T], nil, 1, T); err != nil {
					t.Fatal(err)
				}
				want := m.Logits().RawRowView(pos)
				for j := range want {
					if math.Abs(got[j]-want[j]) > 1e-9 {
						t.Fatalf("position %d logit %d: cache %.15g, forward %.15g", pos, j, got[j], want[j])
					}
				}
			}
			if _, err := c.Push(ids[0]); !errors.Is(err, ErrContextFull) {
				t.Fatalf("push beyond the context: %v, want ErrContextFull", err)
			}
			keep := cfg.Context / 2
			got, err := c.Slide(keep)
			if err != nil {
				t.Fatal(err)
			}
			tail := ids[len(ids)-keep:]
			if _, err := m.Forward(tail, nil, 1, keep); err != nil {
				t.Fatal(err)
			}
			want := m.Logits().RawRowView(keep - 1)
			for j := range want {
				if math.Abs(got[j]-want[j]) > 1e-9 {
					t.Fatalf("after Slide, logit %d: cache %.15g, forward %.15g", j, got[j], want[j])
				}
			}
			if c.Len() != keep {
				t.Fatalf("Len %d after Slide(%d)", c.Len(), keep)
			}
		})
	}
}

func TestCacheErrors(t *testing.T) {
	cfg := tinyConfigs(t)["llama"]
	m, _ := New(cfg, 1)
	c := m.NewCache()
	if _, err := c.Push(cfg.VocabSize); err == nil {
		t.Error("out-of-vocabulary id accepted")
	}
	if _, err := c.Slide(1); err == nil {
		t.Error("Slide on an empty cache accepted")
	}
	if _, err := c.Prefill(nil); err == nil {
		t.Error("empty Prefill accepted")
	}
}

// TestCacheNoAlloc: Push allocates nothing, in both precisions, also when
// large products start a goroutine for their second half.
func TestCacheNoAlloc(t *testing.T) {
	configs := cacheConfigs(t)
	for _, name := range []string{"llama", "gpt-split-head", "llama-split-head"} {
		cfg := configs[name]
		m, _ := New(cfg, 1)
		for _, c := range []*Cache{m.NewCache(), m.NewCacheFloat32()} {
			c.mv64.parallel = true // whatever the number of cores
			if c.f32 != nil {
				c.f32.split.workers = 3
			}
			allocs := testing.AllocsPerRun(5, func() {
				c.Reset()
				for i := 0; i < cfg.Context; i++ {
					if _, err := c.Push(i % cfg.VocabSize); err != nil {
						t.Fatal(err)
					}
				}
			})
			if allocs != 0 {
				t.Errorf("%s, float32 %v: %.1f allocations per %d pushes, want 0", name, c.f32 != nil, allocs, cfg.Context)
			}
		}
	}
}

// TestCacheFloat32: float32 weights give logits close to the float64 ones
// (relative to the logits' spread), and continue to agree after many
// tokens.
func TestCacheFloat32(t *testing.T) {
	for name, cfg := range cacheConfigs(t) {
		m, _ := New(cfg, 3)
		rng := rand.New(rand.NewPCG(9, 9))
		roughen(m, rng)
		exact, fast := m.NewCache(), m.NewCacheFloat32()
		for _, id := range randomTokens(rng, cfg.Context, cfg.VocabSize) {
			want, _ := exact.Push(id)
			got, err := fast.Push(id)
			if err != nil {
				t.Fatal(err)
			}
			scale := 0.0
			for _, v := range want {
				scale = math.Max(scale, math.Abs(v))
			}
			for j := range want {
				if math.Abs(got[j]-want[j]) > 1e-5*scale {
					t.Fatalf("%s: logit %d: float32 %g, float64 %g", name, j, got[j], want[j])
				}
			}
		}
	}
}

// cacheConfigs adds to tinyConfigs two models with products large enough
// to be split between goroutines: the output head (out x in) and, in the
// GPT one, the MLP's Conv1D matrices (in x out).
func cacheConfigs(t *testing.T) map[string]Config {
	cs := tinyConfigs(t)
	for _, name := range []string{"gpt", "llama"} {
		c := cs[name]
		c.VocabSize, c.TiedHead = splitGemv/c.Dim+3, false
		if name == "gpt" {
			c.FFDim = splitGemv/c.Dim + 5
		}
		cs[name+"-split-head"] = c
	}
	return cs
}

// TestCacheSplitProducts: the products large enough to be cut in two
// give bit-identical logits whether the second half runs on its own
// goroutine or after the first on the caller's (one core), and no
// goroutine outlives a Push: the caches stay reachable, so nothing but
// Push itself can end the goroutines it starts.
func TestCacheSplitProducts(t *testing.T) {
	for name, cfg := range cacheConfigs(t) {
		if !strings.HasSuffix(name, "-split-head") {
			continue
		}
		m, _ := New(cfg, 5)
		rng := rand.New(rand.NewPCG(10, 10))
		roughen(m, rng)
		ids := randomTokens(rng, 6, cfg.VocabSize)
		for _, f32 := range []bool{false, true} {
			newCache := m.NewCache
			if f32 {
				newCache = m.NewCacheFloat32
			}
			ensureCrew(1) // the float32 path's goroutines live on, waiting for work: start them first
			before := runtime.NumGoroutine()
			var caches []*Cache
			var logits [2][][]float64
			for i, parallel := range []bool{true, false} {
				c := newCache()
				c.mv64.parallel = parallel
				if c.f32 != nil && parallel {
					c.f32.split.workers = 2
				} else if c.f32 != nil {
					c.f32.split.workers = 1
				}
				caches = append(caches, c)
				for _, id := range ids {
					l, err := c.Push(id)
					if err != nil {
						t.Fatal(err)
					}
					logits[i] = append(logits[i], slices.Clone(l))
				}
			}
			for p := range ids {
				if !slices.Equal(logits[0][p], logits[1][p]) {
					t.Fatalf("%s, float32 %v, position %d: logits differ between a split on two goroutines and on one", name, f32, p)
				}
			}
			// A goroutine that called wg.Done may take a moment to exit.
			for try := 0; runtime.NumGoroutine() > before && try < 100; try++ {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%s: %d goroutines before pushing, %d after, with %d caches alive", name, before, n, len(caches))
			}
			runtime.KeepAlive(caches)
		}
	}
}

// TestForwardTokenPlain: the plain single-token pass gives the logits of
// Cache.Push and of a full Forward (whose row t, causal attention being
// causal, is the prediction after the prefix 0..t) to 1e-9, token by
// token over the whole context, for both presets at their real sizes and
// for the mixed configurations.
func TestForwardTokenPlain(t *testing.T) {
	configs := tinyConfigs(t)
	for _, name := range []string{"gpt", "llama"} {
		cfg, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		configs[name+" preset"] = cfg
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 6)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(11, 11))
			roughen(m, rng)
			ids := randomTokens(rng, cfg.Context, cfg.VocabSize)
			if _, err := m.Forward(ids, nil, 1, cfg.Context); err != nil {
				t.Fatal(err)
			}
			full := m.Logits()
			kvw := cfg.KVHeads * cfg.HeadSize()
			k, v := layersOf(cfg.Layers, cfg.Context*kvw), layersOf(cfg.Layers, cfg.Context*kvw)
			c := m.NewCache()
			for pos, id := range ids {
				plain := m.forwardTokenPlain(k, v, id, pos)
				cached, err := c.Push(id)
				if err != nil {
					t.Fatal(err)
				}
				where := fmt.Sprintf("position %d: logits", pos)
				agree(t, where+" of Push vs plain", cached, plain, 1e-9)
				agree(t, where+" of Forward vs plain", full.RawRowView(pos), plain, 1e-9)
			}
		})
	}
}
