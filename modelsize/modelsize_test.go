package modelsize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

// TestPublishedCounts: the presets, built from the published config.json
// values, give the parameter counts the model cards publish (and that
// PyTorch's sum(p.numel()) prints for the Hugging Face models).
func TestPublishedCounts(t *testing.T) {
	for name, want := range map[string]int64{
		"gpt2":        124_439_808,
		"gpt2-medium": 354_823_168,
		"gpt2-large":  774_030_080,
		"gpt2-xl":     1_557_611_200,
		"llama3-8b":   8_030_261_248,
		"llama3-70b":  70_553_706_496,
		"llama3.2-1b": 1_235_814_400,
		"llama3.2-3b": 3_212_749_824,
	} {
		s, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Count().Total(); got != want {
			t.Errorf("%s: %d parameters, want %d", name, got, want)
		}
	}
}

// TestAgreesWithTransformer: for shapes small enough to build, the count
// equals transformer.Config.ParamCount and the parameters of a real model.
func TestAgreesWithTransformer(t *testing.T) {
	gpt, _ := transformer.Preset("gpt")
	llama, _ := transformer.Preset("llama")
	untied := llama
	untied.TiedHead, untied.KVHeads = true, 1
	mha := llama
	mha.KVHeads = mha.Heads
	gptUntied := gpt
	gptUntied.TiedHead, gptUntied.VocabSize = false, 300
	for i, cfg := range []transformer.Config{gpt, llama, untied, mha, gptUntied} {
		m, err := transformer.New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		got := FromConfig(cfg).Count().Total()
		if got != int64(m.NumParams()) || float64(got) != cfg.ParamCount() {
			t.Errorf("config %d: %d, model %d, ParamCount %.0f", i, got, m.NumParams(), cfg.ParamCount())
		}
	}
}

// TestHFConfig: config.json as published (the keys tick reads, with some
// it ignores) gives the preset's shape.
func TestHFConfig(t *testing.T) {
	for _, c := range []struct{ preset, json string }{
		{"gpt2", `{"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
			"n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "vocab_size": 50257, "layer_norm_epsilon": 1e-05}`},
		{"llama3.2-1b", `{"architectures": ["LlamaForCausalLM"], "head_dim": 64, "hidden_size": 2048, "intermediate_size": 8192,
			"max_position_embeddings": 131072, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16,
			"num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": true, "vocab_size": 128256,
			"attention_bias": false, "mlp_bias": false}`},
		{"llama3-8b", `{"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
			"max_position_embeddings": 8192, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32,
			"num_key_value_heads": 8, "tie_word_embeddings": false, "vocab_size": 128256}`},
	} {
		s, err := FromDir(configDir(t, c.json))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := Preset(c.preset)
		if s.Count() != p.Count() || s.Context != p.Context || s.KVHeads != p.KVHeads {
			t.Errorf("%s: config.json gives %+v, preset %+v", c.preset, s, p)
		}
	}
	for _, bad := range []struct{ json, want string }{
		{`{"model_type": "mistral"}`, `"mistral"`},
		{`{"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 1, "intermediate_size": 8, "vocab_size": 10, "max_position_embeddings": 8, "attention_bias": true}`, "attention_bias"},
		{`{"model_type": "gpt2", "n_embd": 0, "n_layer": 1, "n_head": 1, "n_positions": 8, "vocab_size": 10}`, "must be positive"},
		{`{"model_type": "gpt2", "n_embd": 8}`, "vocab_size"},
		{`{`, "not a JSON object"},
	} {
		if _, err := FromDir(configDir(t, bad.json)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one about %s", bad.json, err, bad.want)
		}
	}
}

// configDir writes a folder holding only a config.json.
func configDir(t *testing.T, json string) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMeasure checks the derived figures against hand arithmetic for
// Llama 3 8B.
func TestMeasure(t *testing.T) {
	s, _ := Preset("llama3-8b")
	r := Measure(s)
	// KV cache: K and V, 32 layers, 8 heads of 128, 2 bytes.
	if r.KVBytesPerToken != 2*32*8*128*2 || r.KVBytesContext != 131072*8192 || r.KVBytesPerTokenNoGQA != 4*r.KVBytesPerToken {
		t.Errorf("KV cache %d/token, %d at context, %d without GQA", r.KVBytesPerToken, r.KVBytesContext, r.KVBytesPerTokenNoGQA)
	}
	// Every weight but the embedding table is in a product, and the head is.
	if want := 2 * float64(r.Parameters-r.Counts.Embeddings-r.Counts.Norms); r.FLOPsWeights != want {
		t.Errorf("FLOPs %g, want %g", r.FLOPsWeights, want)
	}
	if want := 6 * 8_030_261_248 * 15e12; r.TrainFLOPs != want {
		t.Errorf("6ND %g, want %g", r.TrainFLOPs, want)
	}
	if r.BytesNF4 != 8_030_261_248/2+4*(8_030_261_248/64) {
		t.Errorf("NF4 bytes %d", r.BytesNF4)
	}
	g, _ := Preset("gpt2")
	if Measure(g).TrainFLOPs != 0 || !strings.Contains(g.TrainTokensSource, "not published") {
		t.Errorf("GPT-2's tokens are not published; report says %g (%s)", Measure(g).TrainFLOPs, g.TrainTokensSource)
	}
}

// TestFromDir reads a Hugging Face folder's config.json, and says what a
// folder without a model lacks.
func TestFromDir(t *testing.T) {
	dir := t.TempDir()
	cfg := `{"model_type": "llama", "hidden_size": 3072, "intermediate_size": 8192, "max_position_embeddings": 131072,
		"num_attention_heads": 24, "num_hidden_layers": 28, "num_key_value_heads": 8, "head_dim": 128,
		"tie_word_embeddings": true, "vocab_size": 128256}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := FromDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Count().Total(); got != 3_212_749_824 {
		t.Errorf("Llama 3.2 3B's config.json: %d parameters", got)
	}
	if _, err := FromDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("empty folder: %v", err)
	}
}
