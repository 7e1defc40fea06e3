package transformer

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadAdapter: whatever adapter_config.json holds, loading it onto a
// model either works or is an error; it never panics, and a failed load
// leaves the model without adapters.
func FuzzLoadAdapter(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "peft", "llama", AdapterConfigFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"peft_type":"LORA","r":2,"lora_alpha":4,"target_modules":"model\\.layers\\.0\\.self_attn\\.(q|v)_proj"}`))
	f.Add([]byte(`{"peft_type":"LORA","r":0,"lora_alpha":4,"target_modules":["q_proj"]}`))
	f.Add([]byte(`{"peft_type":"LORA","r":99,"lora_alpha":4,"target_modules":["q_proj"]}`))
	weights, err := os.ReadFile(filepath.Join("testdata", "peft", "llama", AdapterWeightsFile))
	if err != nil {
		f.Fatal(err)
	}
	cfg, err := Preset("llama")
	if err != nil {
		f.Fatal(err)
	}
	cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Dim, cfg.FFDim, cfg.Heads, cfg.KVHeads = 11, 8, 1, 8, 16, 2, 1
	f.Fuzz(func(t *testing.T, config []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, AdapterConfigFile), config, 0o644)
		os.WriteFile(filepath.Join(dir, AdapterWeightsFile), weights, 0o644)
		m, err := New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.LoadAdapter(dir); err != nil && (len(m.LoRAs()) != 0 || len(m.Trainable()) != len(m.Params())) {
			t.Fatalf("a failed load (%v) left adapters or frozen parameters", err)
		}
	})
}
