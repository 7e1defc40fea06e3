package hf

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// GenerationConfigFile is the file of default generation settings that
// Hugging Face's from_pretrained reads beside config.json.
const GenerationConfigFile = "generation_config.json"

// Export writes m into dir as a Hugging Face model folder that
// from_pretrained loads as it is: config.json with Hugging Face's keys and
// architectures (GPT2LMHeadModel for a GPT-2 block, LlamaForCausalLM for a
// Llama one), model.safetensors under Hugging Face's names and layouts, in
// dtype "F32" or "BF16", and generation_config.json. A model whose block is
// neither GPT-2's nor Llama's (say, GPT naming with a SwiGLU MLP) has no
// Hugging Face class and is an error. The tokenizer is written apart.
func Export(m *transformer.Model, dir, dtype string) error {
	if dtype != "F32" && dtype != "BF16" {
		return fmt.Errorf("export: dtype %q: use F32 or BF16", dtype)
	}
	cfg, err := hfConfig(m.Config, dtype)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	tensors := make([]safetensors.Tensor, 0, len(m.Params()))
	for _, p := range m.Params() {
		tensors = append(tensors, safetensors.Tensor{Name: p.Name, Shape: p.Shape(), Data: p.Value.RawMatrix().Data})
	}
	// "format": "pt" is what from_pretrained checks for in the metadata.
	if err := safetensors.WriteAs(filepath.Join(dir, WeightsFile), dtype, tensors, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := writeJSON(filepath.Join(dir, ConfigFile), cfg); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	gen := map[string]any{"_from_model_config": true}
	if err := writeJSON(filepath.Join(dir, GenerationConfigFile), gen); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// hfConfig is config.json for c: Hugging Face's keys, each one ReadConfig
// reads back to c (up to Context, which becomes the position count).
func hfConfig(c transformer.Config, dtype string) (map[string]any, error) {
	torchDtype := map[string]string{"F32": "float32", "BF16": "bfloat16"}[dtype]
	gpt := c.Norm == "layernorm" && c.Positions == "learned" && c.MLP == "gelu" && c.Bias && c.KVHeads == c.Heads
	llama := c.Norm == "rmsnorm" && c.Positions == "rope" && c.MLP == "swiglu" && !c.Bias
	switch {
	case gpt && (c.Naming == "" || c.Naming == "gpt"):
		return map[string]any{
			"architectures":          []string{"GPT2LMHeadModel"},
			"model_type":             "gpt2",
			"vocab_size":             c.VocabSize,
			"n_positions":            c.Context,
			"n_ctx":                  c.Context,
			"n_embd":                 c.Dim,
			"n_layer":                c.Layers,
			"n_head":                 c.Heads,
			"n_inner":                c.FFDim,
			"activation_function":    "gelu_new",
			"layer_norm_epsilon":     c.NormEps,
			"resid_pdrop":            c.Dropout,
			"embd_pdrop":             c.Dropout,
			"attn_pdrop":             c.Dropout,
			"tie_word_embeddings":    c.TiedHead,
			"scale_attn_weights":     true,
			"torch_dtype":            torchDtype,
			"initializer_range":      0.02,
			"use_cache":              true,
			"summary_type":           "cls_index",
			"summary_use_proj":       true,
			"summary_activation":     nil,
			"summary_proj_to_labels": true,
			"summary_first_dropout":  0.1,
		}, nil
	case llama && (c.Naming == "" || c.Naming == "llama"):
		cfg := map[string]any{
			"architectures":           []string{"LlamaForCausalLM"},
			"model_type":              "llama",
			"vocab_size":              c.VocabSize,
			"hidden_size":             c.Dim,
			"intermediate_size":       c.FFDim,
			"num_hidden_layers":       c.Layers,
			"num_attention_heads":     c.Heads,
			"num_key_value_heads":     c.KVHeads,
			"head_dim":                c.HeadSize(),
			"max_position_embeddings": c.Context,
			"rms_norm_eps":            c.NormEps,
			"rope_theta":              c.RopeTheta,
			"rope_scaling":            nil,
			"tie_word_embeddings":     c.TiedHead,
			"hidden_act":              "silu",
			"attention_bias":          false,
			"attention_dropout":       c.Dropout,
			"mlp_bias":                false,
			"pretraining_tp":          1,
			"torch_dtype":             torchDtype,
			"initializer_range":       0.02,
			"use_cache":               true,
		}
		if r := c.RopeScaling; r != nil {
			cfg["rope_scaling"] = map[string]any{"rope_type": "llama3", "factor": r.Factor, "low_freq_factor": r.LowFreqFactor,
				"high_freq_factor": r.HighFreqFactor, "original_max_position_embeddings": r.OriginalContext}
		}
		return cfg, nil
	}
	return nil, fmt.Errorf("the model (norm %s, positions %s, mlp %s, bias %v, naming %q) is neither a GPT-2 block (layernorm, learned, gelu, biases) nor a Llama one (rmsnorm, rope, swiglu, no biases): Hugging Face has no class for it",
		c.Norm, c.Positions, c.MLP, c.Bias, c.Naming)
}

// writeJSON writes v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}
