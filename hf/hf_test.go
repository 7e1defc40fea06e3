package hf

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

// tiny returns a small random model of a tick preset.
func tiny(t *testing.T, preset string, tied bool) *transformer.Model {
	t.Helper()
	cfg, err := transformer.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Dim, cfg.FFDim, cfg.TiedHead = 50, 16, 2, 32, 64, tied
	m, err := transformer.New(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// logitsOf runs one forward pass over ids.
func logitsOf(t *testing.T, m *transformer.Model, ids []int) []float64 {
	t.Helper()
	if _, err := m.Forward(ids, nil, 1, len(ids)); err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), m.Logits().RawMatrix().Data...)
}

// TestExportImport: a model exported in F32 or BF16 imports with every
// weight equal to the original rounded to that type, and the same
// configuration; in F32 the logits agree to float32 rounding.
func TestExportImport(t *testing.T) {
	ids := []int{3, 1, 4, 1, 5, 9, 2, 6, 5, 3}
	for _, preset := range []string{"gpt", "llama"} {
		for _, tied := range []bool{true, false} {
			for _, dtype := range []string{"F32", "BF16"} {
				m := tiny(t, preset, tied)
				if preset == "llama" {
					m.Config.RopeScaling = &transformer.RopeScaling{Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalContext: 8}
					var err error
					if m, err = reload(m); err != nil {
						t.Fatal(err)
					}
				}
				dir := t.TempDir()
				if err := Export(m, dir, dtype); err != nil {
					t.Fatal(err)
				}
				back, err := LoadModel(dir, 0)
				if err != nil {
					t.Fatalf("%s tied=%v %s: %v", preset, tied, dtype, err)
				}
				if got, want := back.Config, m.Config; !sameConfig(got, want) {
					t.Errorf("%s tied=%v %s: config %+v, want %+v", preset, tied, dtype, got, want)
				}
				for _, p := range m.Params() {
					q := back.Param(p.Name)
					for i, v := range p.Value.RawMatrix().Data {
						want := float64(float32(v))
						got := q.Value.RawMatrix().Data[i]
						if dtype == "F32" && got != want || dtype == "BF16" && math.Abs(got-v) > math.Abs(v)/128 {
							t.Fatalf("%s %s %s[%d]: %v reads back as %v", preset, dtype, p.Name, i, v, got)
						}
					}
				}
				if dtype == "F32" {
					a, b := logitsOf(t, m, ids), logitsOf(t, back, ids)
					for i := range a {
						if math.Abs(a[i]-b[i]) > 1e-5 {
							t.Fatalf("%s tied=%v: logit %d: %v exported and imported, %v before", preset, tied, i, b[i], a[i])
						}
					}
				}
			}
		}
	}
}

// reload rebuilds m with its (changed) configuration and the same weights.
func reload(m *transformer.Model) (*transformer.Model, error) {
	n, err := transformer.NewZero(m.Config)
	if err != nil {
		return nil, err
	}
	for _, p := range m.Params() {
		copy(n.Param(p.Name).Value.RawMatrix().Data, p.Value.RawMatrix().Data)
	}
	return n, nil
}

func sameConfig(a, b transformer.Config) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestBadFolders: each malformed folder is one line that names what is wrong.
func TestBadFolders(t *testing.T) {
	src := filepath.Join("testdata", "llama-tiny")
	gpt := filepath.Join("testdata", "gpt2-tiny")
	copyDir := func(t *testing.T, from string) string {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(from)); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	editConfig := func(key string, value any) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, ConfigFile)
			var cfg map[string]any
			b, _ := os.ReadFile(p)
			json.Unmarshal(b, &cfg)
			if value == nil {
				delete(cfg, key)
			} else {
				cfg[key] = value
			}
			b, _ = json.Marshal(cfg)
			os.WriteFile(p, b, 0o644)
		}
	}
	cases := []struct {
		name  string
		from  string
		edit  func(t *testing.T, dir string)
		names []string
	}{
		{"missing shard", src, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "model-00002-of-00002.safetensors")) }, []string{"model-00002-of-00002.safetensors", "missing"}},
		{"index names a missing tensor", src, func(t *testing.T, dir string) {
			p := filepath.Join(dir, IndexFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), `"weight_map": {`, `"weight_map": {"model.layers.9.mlp.up_proj.weight": "model-00001-of-00002.safetensors", `, 1)), 0o644)
		}, []string{"model.layers.9.mlp.up_proj.weight", "the index says so"}},
		{"shape mismatch", src, editConfig("intermediate_size", 40), []string{"shape", "config.json"}},
		{"unknown model_type", src, editConfig("model_type", "mistral"), []string{"model_type", "mistral"}},
		{"another rope scaling", src, editConfig("rope_scaling", map[string]any{"rope_type": "yarn", "factor": 4}), []string{"rope_scaling", "yarn"}},
		{"sliding window", src, editConfig("sliding_window", 4096), []string{"sliding_window"}},
		{"attention bias", src, editConfig("attention_bias", true), []string{"attention_bias"}},
		{"exact gelu", gpt, editConfig("activation_function", "gelu"), []string{"activation_function", "gelu_new"}},
		{"missing key", src, editConfig("hidden_size", nil), []string{"hidden_size"}},
		{"no weights", gpt, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, WeightsFile)) }, []string{WeightsFile}},
		{"no config", gpt, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, ConfigFile)) }, []string{ConfigFile}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, c.from)
			c.edit(t, dir)
			_, err := LoadModel(dir, 0)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("not one line: %q", msg)
			}
			for _, n := range c.names {
				if !strings.Contains(msg, n) {
					t.Errorf("%q does not name %q", msg, n)
				}
			}
		})
	}
}
