package transformer

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
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

// TestCacheNoAlloc: Push allocates nothing.
func TestCacheNoAlloc(t *testing.T) {
	cfg := tinyConfigs(t)["llama"]
	m, _ := New(cfg, 1)
	c := m.NewCache()
	allocs := testing.AllocsPerRun(10, func() {
		c.Reset()
		for i := 0; i < cfg.Context; i++ {
			if _, err := c.Push(i % cfg.VocabSize); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per %d pushes, want 0", allocs, cfg.Context)
	}
}

// TestCacheFloat32: float32 weights give logits close to the float64 ones
// (relative to the logits' spread), allocate nothing per token, and
// continue to agree after many tokens.
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
		if a := testing.AllocsPerRun(5, func() { fast.Reset(); fast.Push(1); fast.Push(2) }); a != 0 {
			t.Errorf("%s: %.1f allocations per float32 Push", name, a)
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

// TestCacheHelperExits: the goroutine a cache starts ends once the cache
// is garbage, so generating with many caches does not leak goroutines.
func TestCacheHelperExits(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("caches start no helper on one core")
	}
	cfg := tinyConfigs(t)["gpt"]
	m, _ := New(cfg, 1)
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		c := m.NewCache()
		c.Push(1)
	}
	for try := 0; try < 100; try++ {
		runtime.GC()
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines before, %d after dropping 20 caches", before, runtime.NumGoroutine())
}
