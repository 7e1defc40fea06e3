package transformer

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer/safetensors"
)

// TestSaveLoad: a saved and reloaded model has the same config, the same
// weights bit for bit and computes the same loss; the folder holds only
// the two files (no temporary left over).
func TestSaveLoad(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		t.Run(name, func(t *testing.T) {
			m, _ := New(cfg, 5)
			dir := filepath.Join(t.TempDir(), "run")
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			l, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if l.Config != m.Config {
				t.Fatalf("config %+v, want %+v", l.Config, m.Config)
			}
			for i, p := range m.Params() {
				if !equal(p.Value.RawMatrix().Data, l.Params()[i].Value.RawMatrix().Data) {
					t.Fatalf("%s differs after reload", p.Name)
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			ids, tg := randomTokens(rng, 8, cfg.VocabSize), randomTokens(rng, 8, cfg.VocabSize)
			a, _ := m.Forward(ids, tg, 1, 8)
			b, _ := l.Forward(ids, tg, 1, 8)
			if a != b {
				t.Fatalf("loss %g after reload, want %g", b, a)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 2 {
				t.Fatalf("folder holds %d entries, want config.json and model.safetensors", len(entries))
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	cfg := tinyConfigs(t)["gpt"]
	m, _ := New(cfg, 5)
	// each case saves a good model, breaks it, and expects this in the error
	for _, tc := range []struct {
		name  string
		spoil func(dir string)
		want  string
	}{
		{"no folder", func(dir string) { os.RemoveAll(dir) }, "no such file"},
		{"bad json", func(dir string) { os.WriteFile(filepath.Join(dir, ConfigFile), []byte("{\"layers\": 2,"), 0o644) }, "not a valid tick config"},
		{"unknown field", func(dir string) { os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"layerz": 2}`), 0o644) }, "layerz"},
		{"invalid config", func(dir string) {
			c := cfg
			c.Heads = 5
			writeConfig(t, dir, c)
		}, "heads (5) must divide dim"},
		{"mismatched config", func(dir string) {
			c := cfg
			c.FFDim = 32
			writeConfig(t, dir, c)
		}, "describes"},
		{"same size, other shapes", func(dir string) {
			c := cfg
			c.Heads, c.KVHeads = 2, 2 // same tensors, so the swap must be caught by shape...
			c.Context, c.VocabSize = c.VocabSize, c.Context
			writeConfig(t, dir, c)
		}, "has shape [11 16], but"},
		{"more layers than weights", func(dir string) {
			c := cfg
			c.Layers = 3
			writeConfig(t, dir, c)
		}, "describes"},
		{"extra tensor", func(dir string) {
			c := cfg
			c.Layers = 1
			writeConfig(t, dir, c)
		}, "describes"},
		{"renamed tensor", func(dir string) {
			ts, meta, _ := safetensors.Read(filepath.Join(dir, WeightsFile))
			ts[1].Name = "transformer.h.0.ln_9.weight"
			if err := safetensors.Write(filepath.Join(dir, WeightsFile), ts, meta); err != nil {
				t.Fatal(err)
			}
		}, "no tensor"},
		{"truncated weights", func(dir string) {
			p := filepath.Join(dir, WeightsFile)
			data, _ := os.ReadFile(p)
			os.WriteFile(p, data[:len(data)-9], 0o644)
		}, "safetensors"},
		{"garbage weights", func(dir string) { os.WriteFile(filepath.Join(dir, WeightsFile), []byte("hello"), 0o644) }, "safetensors"},
		{"non-finite weight", func(dir string) {
			ts, meta, err := safetensors.Read(filepath.Join(dir, WeightsFile))
			if err != nil {
				t.Fatal(err)
			}
			ts[0].Data[3] = 0
			ts[0].Data[3] /= ts[0].Data[3] // NaN
			if err := safetensors.Write(filepath.Join(dir, WeightsFile), ts, meta); err != nil {
				t.Fatal(err)
			}
		}, "NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m")
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			tc.spoil(dir)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func writeConfig(t *testing.T, dir string, c Config) {
	t.Helper()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzLoadConfig: any config.json next to a valid weights file loads or
// fails with an error; it never panics or allocates beyond the weights.
func FuzzLoadConfig(f *testing.F) {
	cfg := tinyConfigs(f)["llama"]
	good, _ := json.Marshal(cfg)
	f.Add(good)
	f.Add([]byte(`{"vocab_size": 11, "context": 8, "layers": 2000000, "heads": 4, "kv_heads": 2, "dim": 16}`))
	f.Add([]byte(`{"vocab_size": -1}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"dim": 1e300}`))
	m, _ := New(cfg, 1)
	dir := f.TempDir()
	if err := m.Save(dir); err != nil {
		f.Fatal(err)
	}
	weights, err := os.ReadFile(filepath.Join(dir, WeightsFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, config []byte) {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, WeightsFile), weights, 0o644)
		os.WriteFile(filepath.Join(d, ConfigFile), config, 0o644)
		m, err := Load(d)
		if err != nil {
			return
		}
		if err := m.Config.Validate(); err != nil {
			t.Fatalf("loaded an invalid config: %v", err)
		}
	})
}
