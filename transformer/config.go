package transformer

import (
	"fmt"
	"math"
)

// Config describes one decoder-only transformer. The switches Norm,
// Positions, MLP, Bias and TiedHead are what separate a GPT-2 block from a
// Llama 3 block; everything else is a size.
type Config struct {
	VocabSize int `json:"vocab_size"` // number of token IDs; logits have this width
	Context   int `json:"context"`    // longest sequence the model reads (T <= Context)
	Layers    int `json:"layers"`     // number of transformer blocks
	Heads     int `json:"heads"`      // query heads per attention layer
	KVHeads   int `json:"kv_heads"`   // key/value heads (grouped-query attention); Heads for plain multi-head
	Dim       int `json:"dim"`        // model width D (residual stream)
	FFDim     int `json:"ff_dim"`     // hidden width F of the MLP

	Norm      string  `json:"norm"`       // "layernorm" (GPT-2) or "rmsnorm" (Llama)
	NormEps   float64 `json:"norm_eps"`   // added to the variance before the square root
	Positions string  `json:"positions"`  // "learned" (GPT-2 position table) or "rope" (rotary, Llama)
	RopeTheta float64 `json:"rope_theta"` // RoPE base; only used with Positions "rope"
	// RopeScaling, if set, stretches RoPE's low frequencies to a longer
	// context as Llama 3.1 and 3.2 do (rope.go); nil for plain RoPE.
	RopeScaling *RopeScaling `json:"rope_scaling,omitempty"`
	MLP         string       `json:"mlp"`       // "gelu" (GPT-2, tanh approximation) or "swiglu" (Llama)
	Bias        bool         `json:"bias"`      // biases in the linear layers and LayerNorm
	TiedHead    bool         `json:"tied_head"` // output head shares the token embedding matrix
	Dropout     float64      `json:"dropout"`   // probability of zeroing an activation while training

	// Naming picks the Hugging Face tensor names and weight orientation:
	// "gpt" (GPT-2: transformer.h.0.attn.c_attn.weight, stored in x out)
	// or "llama" (model.layers.0.self_attn.q_proj.weight, stored out x in).
	// Empty means "gpt" for LayerNorm models and "llama" for RMSNorm ones.
	Naming string `json:"naming,omitempty"`
}

// RopeScaling is Llama 3's frequency scaling of RoPE (Hugging Face's
// rope_scaling with rope_type "llama3"): wavelengths longer than
// OriginalContext/LowFreqFactor are divided by Factor, those shorter than
// OriginalContext/HighFreqFactor are kept, and those between are blended.
type RopeScaling struct {
	Factor          float64 `json:"factor"`
	LowFreqFactor   float64 `json:"low_freq_factor"`
	HighFreqFactor  float64 `json:"high_freq_factor"`
	OriginalContext int     `json:"original_max_position_embeddings"`
}

// Preset returns a tiny configuration of a model family, small enough to
// train on a laptop CPU in minutes:
//
//	"gpt":   GPT-2 block: LayerNorm, learned positions, GELU MLP, biases, tied head
//	"llama": Llama 3 block: RMSNorm, RoPE, SwiGLU MLP, grouped-query attention,
//	         no biases, separate head
//
// Callers usually override VocabSize (and any size) afterwards.
func Preset(name string) (Config, error) {
	switch name {
	case "gpt":
		return Config{
			VocabSize: 256, Context: 64, Layers: 4, Heads: 4, KVHeads: 4, Dim: 128, FFDim: 512,
			Norm: "layernorm", NormEps: 1e-5, Positions: "learned", MLP: "gelu",
			Bias: true, TiedHead: true, Naming: "gpt",
		}, nil
	case "llama":
		// FFDim follows Llama's rule: 2/3 of 4*Dim (SwiGLU has three
		// matrices instead of two), rounded up to a multiple of 32.
		// RopeTheta is Llama 2's 10000: Llama 3's 500000 suits 8k contexts,
		// not 64 tokens.
		return Config{
			VocabSize: 256, Context: 64, Layers: 4, Heads: 4, KVHeads: 2, Dim: 128, FFDim: 352,
			Norm: "rmsnorm", NormEps: 1e-5, Positions: "rope", RopeTheta: 10000, MLP: "swiglu",
			Bias: false, TiedHead: false, Naming: "llama",
		}, nil
	}
	return Config{}, fmt.Errorf("unknown preset %q: use \"gpt\" or \"llama\"", name)
}

// HeadSize is the width of one attention head, Dim / Heads.
func (c Config) HeadSize() int { return c.Dim / c.Heads }

// naming returns the effective Naming ("gpt" or "llama").
func (c Config) naming() string {
	if c.Naming != "" {
		return c.Naming
	}
	if c.Norm == "rmsnorm" {
		return "llama"
	}
	return "gpt"
}

// Validate reports the first problem that makes the configuration unusable,
// saying which field to change.
func (c Config) Validate() error {
	sizes := []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"context", c.Context}, {"layers", c.Layers},
		{"heads", c.Heads}, {"kv_heads", c.KVHeads}, {"dim", c.Dim}, {"ff_dim", c.FFDim},
	}
	for _, s := range sizes {
		if s.v <= 0 {
			return fmt.Errorf("config: %s is %d; it must be positive", s.name, s.v)
		}
	}
	if c.Context > maxContext {
		return fmt.Errorf("config: context %d is longer than tick supports (%d tokens)", c.Context, maxContext)
	}
	if c.Dim%c.Heads != 0 {
		return fmt.Errorf("config: heads (%d) must divide dim (%d) so every head has the same width", c.Heads, c.Dim)
	}
	if c.Heads%c.KVHeads != 0 {
		return fmt.Errorf("config: kv_heads (%d) must divide heads (%d): each key/value head serves a whole group of query heads", c.KVHeads, c.Heads)
	}
	switch c.Norm {
	case "layernorm", "rmsnorm":
	default:
		return fmt.Errorf("config: unknown norm %q: use \"layernorm\" or \"rmsnorm\"", c.Norm)
	}
	if !(c.NormEps > 0) || math.IsInf(c.NormEps, 0) {
		return fmt.Errorf("config: norm_eps is %g; it must be a small positive number such as 1e-5", c.NormEps)
	}
	switch c.Positions {
	case "learned":
	case "rope":
		if c.HeadSize()%2 != 0 {
			return fmt.Errorf("config: rope needs an even head size, but dim/heads = %d/%d = %d", c.Dim, c.Heads, c.HeadSize())
		}
		if !(c.RopeTheta > 1) || math.IsInf(c.RopeTheta, 0) {
			return fmt.Errorf("config: rope_theta is %g; it must be greater than 1 (10000 is usual)", c.RopeTheta)
		}
		if r := c.RopeScaling; r != nil && !(r.Factor >= 1 && r.LowFreqFactor > 0 && r.HighFreqFactor > r.LowFreqFactor && r.OriginalContext > 0 && !math.IsInf(r.Factor+r.HighFreqFactor, 0)) {
			return fmt.Errorf("config: rope_scaling %+v: it needs factor >= 1, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0 (Llama 3.1: 8, 1, 4, 8192)", *r)
		}
	default:
		return fmt.Errorf("config: unknown positions %q: use \"learned\" or \"rope\"", c.Positions)
	}
	switch c.MLP {
	case "gelu", "swiglu":
	default:
		return fmt.Errorf("config: unknown mlp %q: use \"gelu\" or \"swiglu\"", c.MLP)
	}
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		return fmt.Errorf("config: dropout is %g; it must be in [0, 1)", c.Dropout)
	}
	switch c.Naming {
	case "", "gpt", "llama":
	default:
		return fmt.Errorf("config: unknown naming %q: use \"gpt\", \"llama\" or leave it empty", c.Naming)
	}
	if n := c.ParamCount(); n > maxParams {
		return fmt.Errorf("config: %.3g parameters (%.0f GB in float64) is more than tick can hold; reduce the sizes", n, n*8/1e9)
	}
	return nil
}

// maxContext bounds the context length (Llama 3.1's 128k tokens): RoPE
// tables and KV caches grow with it.
const maxContext = 1 << 17

// maxParams bounds the model size (32 GB of float64 weights) so a mistyped
// size is an error instead of an out-of-memory crash.
const maxParams = 4e9

// ParamCount is the number of scalar parameters a model of this
// configuration has, counted in float64 so that it cannot overflow for any
// sizes (a tied head counted once).
func (c Config) ParamCount() float64 {
	V, C, L, H, KV, D, F := float64(c.VocabSize), float64(c.Context), float64(c.Layers),
		float64(c.Heads), float64(c.KVHeads), float64(c.Dim), float64(c.FFDim)
	hs := D / H
	n := V * D // token embedding
	if c.Positions == "learned" {
		n += C * D
	}
	if !c.TiedHead {
		n += V * D
	}
	norm := D // gain
	if c.Norm == "layernorm" && c.Bias {
		norm += D
	}
	n += norm // final norm
	qkv := (H + 2*KV) * hs
	block := 2*norm + D*qkv + H*hs*D + 2*D*F
	if c.MLP == "swiglu" {
		block += D * F
	}
	if c.Bias {
		block += qkv + D + F + D
		if c.MLP == "swiglu" {
			block += F
		}
	}
	return n + L*block
}

// NumParams is the number of scalar parameters a model of this
// configuration has (a tied head counted once). It assumes a valid config.
func (c Config) NumParams() int { return int(c.ParamCount()) }
