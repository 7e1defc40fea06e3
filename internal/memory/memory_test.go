package memory

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

// TestEstimatesMatchReality builds real models and runs a training
// forward and backward pass, measuring the live heap each adds, and checks
// the estimates against it: the model within a few percent, the
// activations likewise. Each configuration makes a different buffer the
// largest (logits for a big vocabulary, attention weights for a long
// context, the MLP for a wide one), so a buffer the estimate forgets, or
// counts twice, shows.
func TestEstimatesMatchReality(t *testing.T) {
	gpt, _ := transformer.Preset("gpt")
	llama, _ := transformer.Preset("llama")
	with := func(c transformer.Config, f func(*transformer.Config)) transformer.Config {
		f(&c)
		return c
	}
	cases := []struct {
		name    string
		cfg     transformer.Config
		B, T    int
		dropout bool
	}{
		{"gpt preset", gpt, 8, 64, false},
		{"gpt big vocabulary", with(gpt, func(c *transformer.Config) { c.VocabSize = 5000; c.Layers = 1; c.Dim = 32; c.FFDim = 128 }), 4, 32, false},
		{"gpt long context", with(gpt, func(c *transformer.Config) {
			c.Context = 512
			c.Layers = 2
			c.Dim = 32
			c.FFDim = 128
			c.Heads = 8
			c.KVHeads = 8
		}), 2, 512, false},
		{"gpt wide MLP, dropout", with(gpt, func(c *transformer.Config) { c.FFDim = 2048; c.Layers = 2; c.Dropout = 0.1 }), 4, 64, true},
		{"llama preset", llama, 8, 64, false},
		{"llama deep, dropout", with(llama, func(c *transformer.Config) { c.Layers = 8; c.Dim = 64; c.FFDim = 192; c.Dropout = 0.2 }), 4, 64, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := LiveHeap()
			m, err := transformer.New(c.cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			gotModel := LiveHeap() - base
			rng := rand.New(rand.NewPCG(1, 2))
			n := c.B * c.T
			ids, targets := make([]int, n), make([]int, n)
			for i := range ids {
				ids[i], targets[i] = rng.IntN(c.cfg.VocabSize), rng.IntN(c.cfg.VocabSize)
			}
			m.SetTraining(true, 1)
			before := LiveHeap()
			if _, err := m.Forward(ids, targets, c.B, c.T); err != nil {
				t.Fatal(err)
			}
			m.Backward()
			gotActs := LiveHeap() - before
			runtime.KeepAlive(m)
			runtime.KeepAlive(ids)
			runtime.KeepAlive(targets)

			check := func(what string, est, got float64) {
				t.Helper()
				t.Logf("%s: estimate %s, measured %s (ratio %.3f)", what, Format(est), Format(got), est/got)
				if r := est / got; r < 0.95 || r > 1.1 {
					t.Errorf("%s: estimate %.0f bytes, measured %.0f: ratio %.3f is outside [0.95, 1.1]", what, est, got, r)
				}
			}
			check("model", Model(c.cfg), gotModel)
			check("forward+backward", Activations(c.cfg, c.B, c.T, c.dropout), gotActs)
		})
	}
}

// TestCacheMatchesReality measures a generation cache the same way.
func TestCacheMatchesReality(t *testing.T) {
	cfg, _ := transformer.Preset("llama")
	cfg.Context, cfg.VocabSize = 1024, 3000
	m, err := transformer.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	before := LiveHeap()
	c := m.NewCache()
	got := LiveHeap() - before
	runtime.KeepAlive(c)
	est := Cache(cfg)
	t.Logf("cache: estimate %s, measured %s (ratio %.3f)", Format(est), Format(got), est/got)
	if r := est / got; r < 0.95 || r > 1.1 {
		t.Errorf("cache: estimate %.0f bytes, measured %.0f: ratio %.3f is outside [0.95, 1.1]", est, got, r)
	}
}

// TestParamsCount checks the float64 count against transformer's for
// valid configurations, and that it does not overflow for absurd ones.
func TestParamsCount(t *testing.T) {
	for _, name := range []string{"gpt", "llama"} {
		c, _ := transformer.Preset(name)
		m, err := transformer.New(c, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := Params(c), float64(m.NumParams()); got != want {
			t.Errorf("%s: Params = %g, the model has %g", name, got, want)
		}
	}
	c, _ := transformer.Preset("gpt")
	c.Layers, c.Dim, c.FFDim = 100000, 16384, 100000000
	if p := Params(c); !(p > 1e17) {
		t.Errorf("Params of an absurd model = %g; want its true size, more than 1e17", p)
	}
}

func TestFormat(t *testing.T) {
	cases := map[float64]string{0: "0 bytes", 999: "999 bytes", 1000: "1.0 KB", 48e9: "48 GB", 3.1e9: "3.1 GB", 1.25e12: "1.2 TB", 512e6: "512 MB"}
	for b, want := range cases {
		if got := Format(b); got != want {
			t.Errorf("Format(%g) = %q, want %q", b, got, want)
		}
	}
}

// TestCgroupLimit reads made-up cgroup trees, v1 and v2: the smallest
// limit on the way to the root counts; "max" and v1's "unlimited" do not.
func TestCgroupLimit(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("v2/self", "0::/user.slice/job\n")
	write("v2/root/memory.max", "max\n")
	write("v2/root/user.slice/memory.max", "8589934592\n")
	write("v2/root/user.slice/job/memory.max", "max\n")
	write("v1/self", "12:cpu,cpuacct:/x\n4:memory:/docker/abc\n")
	write("v1/root/memory/memory.limit_in_bytes", "9223372036854771712\n")
	write("v1/root/memory/docker/abc/memory.limit_in_bytes", "1073741824\n")
	write("none/self", "0::/\n")
	write("none/root/memory.max", "max\n")
	cases := []struct {
		name string
		want float64
		ok   bool
	}{{"v2", 8 << 30, true}, {"v1", 1 << 30, true}, {"none", 0, false}}
	for _, c := range cases {
		got, ok := cgroupLimit(filepath.Join(dir, c.name, "self"), filepath.Join(dir, c.name, "root"))
		if got != c.want || ok != c.ok {
			t.Errorf("%s: cgroupLimit = %g, %v; want %g, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestMemTotal(t *testing.T) {
	p := filepath.Join(t.TempDir(), "meminfo")
	os.WriteFile(p, []byte("MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   2000 kB\n"), 0o644)
	if got, ok := memTotal(p); !ok || got != 24576000*1024 {
		t.Errorf("memTotal = %g, %v; want %d", got, ok, 24576000*1024)
	}
	// The real machine: some figure, and Machine names its source.
	if l, ok := Machine(); ok && (l.Bytes < 1<<20 || !strings.Contains(l.String(), "(")) {
		t.Errorf("Machine() = %v", l)
	}
}
