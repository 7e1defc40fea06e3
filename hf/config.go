package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/tick-llm/tick/internal/inputfile"
	"github.com/tick-llm/tick/transformer"
)

// ConfigFile is the model description of a Hugging Face folder.
const ConfigFile = "config.json"

// DefaultContext is the context tick gives an imported model when the
// caller asks for none: Llama 3.2 describes 131,072 positions, whose
// key/value cache alone would take gigabytes; generation rarely needs them.
const DefaultContext = 4096

// maxConfigBytes bounds config.json: published ones are a few KB.
const maxConfigBytes = 1 << 20

// IsModelFolder reports whether dir looks like a Hugging Face model folder:
// it has a config.json naming a model_type.
func IsModelFolder(dir string) bool {
	raw, err := readConfig(dir)
	if err != nil {
		return false
	}
	_, ok := raw["model_type"]
	return ok
}

// readConfig reads config.json as raw fields.
func readConfig(dir string) (map[string]json.RawMessage, error) {
	path := filepath.Join(dir, ConfigFile)
	st, err := inputfile.Check(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s: give a Hugging Face model folder (git clone of a model repository)", dir, ConfigFile)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st.Size() > maxConfigBytes {
		return nil, fmt.Errorf("%s is %d bytes, far more than a model config: give the folder's own config.json", path, st.Size())
	}
	b, err := inputfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return nil, fmt.Errorf("%s is not a JSON object (%v): restore it from the model's repository", path, err)
	}
	return raw, nil
}

// fields reads the keys of a config.json one by one, remembering the first
// error, so that each message names its key.
type fields struct {
	path string
	raw  map[string]json.RawMessage
	err  error
}

func (f *fields) has(key string) bool {
	v, ok := f.raw[key]
	return ok && string(v) != "null"
}

// get decodes key into v if present (and not null); it reports whether it was.
func (f *fields) get(key string, v any) bool {
	if f.err != nil || !f.has(key) {
		return false
	}
	if err := json.Unmarshal(f.raw[key], v); err != nil {
		f.err = fmt.Errorf("%s: %q is %s, which does not read as %T", f.path, key, f.raw[key], v)
		return false
	}
	return true
}

// need decodes a key the model cannot be built without.
func (f *fields) need(key string, v any) {
	if f.err == nil && !f.get(key, v) {
		f.err = fmt.Errorf("%s has no %q, which tick needs to build the model", f.path, key)
	}
}

// refuse records an error for a key whose value tick does not implement.
func (f *fields) refuse(key, why string) {
	if f.err == nil {
		f.err = fmt.Errorf("%s: %q is %s: %s; tick cannot run this model as it is", f.path, key, f.raw[key], why)
	}
}

// ReadConfig reads dir/config.json into tick's transformer configuration.
// context bounds the positions tick allocates (0: DefaultContext, or fewer
// when the model has fewer).
func ReadConfig(dir string, context int) (transformer.Config, error) {
	cfg, positions, err := ParseConfig(dir)
	if err != nil {
		return transformer.Config{}, err
	}
	if context <= 0 {
		context = DefaultContext
	}
	cfg.Context = min(positions, context)
	if err := cfg.Validate(); err != nil {
		return transformer.Config{}, fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
	}
	return cfg, nil
}

// ParseConfig reads dir/config.json into tick's configuration and the
// number of positions the model was made for, without checking that tick
// can hold it (ReadConfig does): what 8B or 70B parameters mean can be
// worked out for a model far too large to load. Context is left 0.
func ParseConfig(dir string) (transformer.Config, int, error) {
	raw, err := readConfig(dir)
	if err != nil {
		return transformer.Config{}, 0, err
	}
	f := &fields{path: filepath.Join(dir, ConfigFile), raw: raw}
	var modelType string
	f.need("model_type", &modelType)
	if f.err != nil {
		return transformer.Config{}, 0, f.err
	}
	var cfg transformer.Config
	var positions int
	switch modelType {
	case "gpt2":
		cfg, positions = gpt2Config(f)
	case "llama":
		cfg, positions = llamaConfig(f)
	default:
		return transformer.Config{}, 0, fmt.Errorf("%s: \"model_type\" is %q: tick runs \"gpt2\" (GPT2LMHeadModel) and \"llama\" (LlamaForCausalLM) models", f.path, modelType)
	}
	if f.err != nil {
		return transformer.Config{}, 0, f.err
	}
	return cfg, positions, nil
}

// gpt2Config maps GPT2Config's keys (transformers/models/gpt2).
func gpt2Config(f *fields) (transformer.Config, int) {
	c := transformer.Config{Norm: "layernorm", Positions: "learned", MLP: "gelu", Bias: true, TiedHead: true, Naming: "gpt", NormEps: 1e-5}
	var positions int
	f.need("vocab_size", &c.VocabSize)
	f.need("n_embd", &c.Dim)
	f.need("n_layer", &c.Layers)
	f.need("n_head", &c.Heads)
	if !f.get("n_positions", &positions) {
		f.need("n_ctx", &positions)
	}
	c.KVHeads = c.Heads
	c.FFDim = 4 * c.Dim
	f.get("n_inner", &c.FFDim) // null: 4·n_embd
	f.get("layer_norm_epsilon", &c.NormEps)
	f.get("tie_word_embeddings", &c.TiedHead)
	act := "gelu_new"
	f.get("activation_function", &act)
	// gelu_new is the tanh approximation tick computes; "gelu" is the exact
	// erf form, which gives other numbers.
	if act != "gelu_new" && act != "gelu_pytorch_tanh" {
		f.refuse("activation_function", "tick's GPT-2 MLP is the tanh approximation of GELU (gelu_new)")
	}
	var b bool
	if f.get("scale_attn_weights", &b) && !b {
		f.refuse("scale_attn_weights", "tick scales attention scores by 1/√head_size, as GPT-2 does")
	}
	if f.get("scale_attn_by_inverse_layer_idx", &b) && b {
		f.refuse("scale_attn_by_inverse_layer_idx", "tick does not scale attention by the layer index")
	}
	if f.get("add_cross_attention", &b) && b {
		f.refuse("add_cross_attention", "tick is a decoder-only model without cross-attention")
	}
	return c, positions
}

// llamaConfig maps LlamaConfig's keys (transformers/models/llama).
func llamaConfig(f *fields) (transformer.Config, int) {
	c := transformer.Config{Norm: "rmsnorm", Positions: "rope", MLP: "swiglu", Naming: "llama", NormEps: 1e-6, RopeTheta: 10000}
	var positions int
	f.need("vocab_size", &c.VocabSize)
	f.need("hidden_size", &c.Dim)
	f.need("intermediate_size", &c.FFDim)
	f.need("num_hidden_layers", &c.Layers)
	f.need("num_attention_heads", &c.Heads)
	f.need("max_position_embeddings", &positions)
	c.KVHeads = c.Heads
	f.get("num_key_value_heads", &c.KVHeads)
	f.get("rms_norm_eps", &c.NormEps)
	f.get("rope_theta", &c.RopeTheta)
	f.get("tie_word_embeddings", &c.TiedHead)
	var headDim int
	if f.get("head_dim", &headDim) && c.Heads > 0 && headDim != c.Dim/c.Heads {
		f.refuse("head_dim", fmt.Sprintf("tick's heads are hidden_size/num_attention_heads = %d wide", c.Dim/c.Heads))
	}
	act := "silu"
	f.get("hidden_act", &act)
	if act != "silu" {
		f.refuse("hidden_act", "tick's SwiGLU gates with silu")
	}
	var b bool
	for _, key := range []string{"attention_bias", "mlp_bias"} {
		if f.get(key, &b) && b {
			f.refuse(key, "tick's Llama layers have no biases")
		}
	}
	if f.has("sliding_window") {
		var w any
		f.get("sliding_window", &w)
		f.refuse("sliding_window", "tick attends to the whole context, not a sliding window")
	}
	if f.get("use_sliding_window", &b) && b {
		f.refuse("use_sliding_window", "tick attends to the whole context, not a sliding window")
	}
	c.RopeScaling = ropeScaling(f)
	return c, positions
}

// ropeScaling reads rope_scaling: absent, "default", or Llama 3's "llama3".
func ropeScaling(f *fields) *transformer.RopeScaling {
	var rs map[string]json.RawMessage
	if !f.get("rope_scaling", &rs) {
		return nil
	}
	kind := ""
	for _, k := range []string{"rope_type", "type"} {
		if v, ok := rs[k]; ok {
			json.Unmarshal(v, &kind)
			break
		}
	}
	switch kind {
	case "default":
		return nil
	case "llama3":
	default:
		f.refuse("rope_scaling", fmt.Sprintf("tick implements rope_type \"llama3\" (Llama 3.1 and 3.2), not %q", kind))
		return nil
	}
	sub := &fields{path: f.path + ": rope_scaling", raw: rs}
	var r transformer.RopeScaling
	sub.need("factor", &r.Factor)
	sub.need("low_freq_factor", &r.LowFreqFactor)
	sub.need("high_freq_factor", &r.HighFreqFactor)
	sub.need("original_max_position_embeddings", &r.OriginalContext)
	known := []string{"rope_type", "type", "factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}
	for k := range rs {
		if !slices.Contains(known, k) && sub.err == nil {
			sub.err = fmt.Errorf("%s has %q, which the llama3 scaling tick implements does not use: remove it or use another tool", sub.path, k)
		}
	}
	if sub.err != nil && f.err == nil {
		f.err = sub.err
	}
	return &r
}
