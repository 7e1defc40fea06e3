package transformer

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer/safetensors"
)

// TestAdapterRoundTrip: SaveAdapter writes PEFT's names, shapes and F32;
// LoadAdapter on a fresh copy of the base gives the same logits (to float32
// rounding of A and B), and the config carries PEFT's keys.
func TestAdapterRoundTrip(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		base, _ := New(cfg, 1)
		rng := rand.New(rand.NewPCG(20, 21))
		roughen(base, rng)
		dir := t.TempDir()
		if err := base.Save(filepath.Join(dir, "base")); err != nil {
			t.Fatal(err)
		}
		m, _ := Load(filepath.Join(dir, "base"))
		targets := m.LoRATargets()[:2]
		ads, err := m.AddLoRA(LoRAConfig{Rank: 2, Alpha: 4, Dropout: 0.05, Targets: targets, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, ad := range ads {
			for i, b := 0, ad.B.Value.RawMatrix().Data; i < len(b); i++ {
				b[i] = float64(float32(0.3 * rng.NormFloat64()))
			}
			for i, a := 0, ad.A.Value.RawMatrix().Data; i < len(a); i++ {
				a[i] = float64(float32(a[i]))
			}
		}
		ids, _ := loraBatch(cfg, rng)
		m.Forward(ids, nil, 2, 6)
		want := slices.Clone(m.Logits().RawMatrix().Data)
		ac, _ := m.AdapterConfigFor(filepath.Join(dir, "base"), targets)
		adir := filepath.Join(dir, "adapter")
		if err := m.SaveAdapter(adir, ac); err != nil {
			t.Fatal(err)
		}
		tensors, _, err := safetensors.Read(filepath.Join(adir, AdapterWeightsFile))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(filepath.Join(adir, AdapterWeightsFile))
		if !strings.Contains(string(raw[:200]), `"dtype":"F32"`) {
			t.Errorf("%s: adapter tensors are not F32", name)
		}
		for _, tn := range tensors {
			if !strings.HasPrefix(tn.Name, "base_model.model.") || !(strings.HasSuffix(tn.Name, ".lora_A.weight") || strings.HasSuffix(tn.Name, ".lora_B.weight")) {
				t.Errorf("%s: tensor %s is not named as PEFT names it", name, tn.Name)
			}
		}
		var js map[string]any
		b, _ := os.ReadFile(filepath.Join(adir, AdapterConfigFile))
		json.Unmarshal(b, &js)
		gpt := cfg.naming() == "gpt"
		if js["peft_type"] != "LORA" || js["task_type"] != "CAUSAL_LM" || js["r"] != 2.0 || js["lora_alpha"] != 4.0 || js["fan_in_fan_out"] != gpt || js["bias"] != "none" {
			t.Errorf("%s: adapter_config.json %s", name, b)
		}
		m2, _ := Load(filepath.Join(dir, "base"))
		if _, err := m2.LoadAdapter(adir); err != nil {
			t.Fatal(err)
		}
		m2.Forward(ids, nil, 2, 6)
		for i, v := range m2.Logits().RawMatrix().Data {
			if math.Abs(v-want[i]) > 1e-9 {
				t.Fatalf("%s: logit %d after the round trip %g, before %g", name, i, v, want[i])
			}
		}
	}
}

// TestAdapterForAnotherBase: an adapter saved on one base refuses a base of
// other widths, or of the other naming, in one line.
func TestAdapterForAnotherBase(t *testing.T) {
	cfgs := tinyConfigs(t)
	m, _ := New(cfgs["llama"], 1)
	m.AddLoRA(LoRAConfig{Rank: 2, Alpha: 4, Targets: []string{"q", "v"}})
	ac, _ := m.AdapterConfigFor("somewhere", []string{"q_proj", "v_proj"})
	dir := t.TempDir()
	if err := m.SaveAdapter(dir, ac); err != nil {
		t.Fatal(err)
	}
	wider := cfgs["llama"]
	wider.Dim, wider.FFDim = 32, 40
	cases := map[string]Config{"shape": wider, "names": cfgs["gpt"]}
	for what, cfg := range cases {
		other, _ := New(cfg, 1)
		_, err := other.LoadAdapter(dir)
		if err == nil || !strings.Contains(err.Error(), "another") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s mismatch: %v", what, err)
		}
		if len(other.LoRAs()) != 0 || len(other.Trainable()) != len(other.Params()) {
			t.Errorf("%s mismatch: a failed load left adapters behind", what)
		}
	}
}
