// Package modelsize tells what a model's size means: its parameters by
// component, the bytes of its weights at each precision, the bytes of its
// KV cache, the FLOPs of one token and the compute of its pretraining, all
// from its shape. It is arithmetic on a configuration, so it works for
// Llama 3 70B on a laptop: no weights are read.
package modelsize

import (
	"fmt"
	"strings"

	"github.com/tick-llm/tick/transformer"
)

// Shape is what the size of a decoder-only transformer depends on.
type Shape struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`

	Vocab    int `json:"vocab_size"`
	Context  int `json:"context"` // longest sequence (max_position_embeddings / n_positions)
	Layers   int `json:"layers"`
	Dim      int `json:"dim"`      // residual width D
	Heads    int `json:"heads"`    // query heads
	KVHeads  int `json:"kv_heads"` // key/value heads (grouped-query attention when < Heads)
	HeadSize int `json:"head_size"`
	FFDim    int `json:"ff_dim"` // MLP hidden width F

	LearnedPositions bool `json:"learned_positions"` // GPT-2's position table (Llama: RoPE, no parameters)
	GatedMLP         bool `json:"gated_mlp"`         // SwiGLU: three D×F matrices instead of two
	LayerNorm        bool `json:"layernorm"`         // LayerNorm has a bias per gain; RMSNorm only a gain
	Bias             bool `json:"bias"`              // biases in the linear layers (GPT-2)
	TiedHead         bool `json:"tied_head"`         // the head reuses the token embedding

	// TrainTokens is the published number of pretraining tokens (0 if none
	// is published), and TrainTokensSource says where it comes from or
	// why it is unknown.
	TrainTokens       float64 `json:"train_tokens"`
	TrainTokensSource string  `json:"train_tokens_source"`
}

// Presets are the published configurations (the config.json of each
// model's Hugging Face repository) and tick's own presets.
func Presets() []string {
	return []string{"gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "llama3-8b", "llama3-70b", "llama3.2-1b", "llama3.2-3b", "gpt", "llama"}
}

const gpt2Tokens = "not published: OpenAI gave WebText's size, 40 GB of text, not the tokens seen"

// headSize is dim/heads, 0 for no heads (Check then refuses the shape).
func headSize(dim, heads int) int {
	if heads <= 0 {
		return 0
	}
	return dim / heads
}

func gpt2(name, desc string, dim, layers, heads int) Shape {
	return Shape{Name: name, Description: desc, Vocab: 50257, Context: 1024, Layers: layers, Dim: dim,
		Heads: heads, KVHeads: heads, HeadSize: headSize(dim, heads), FFDim: 4 * dim,
		LearnedPositions: true, LayerNorm: true, Bias: true, TiedHead: true, TrainTokensSource: gpt2Tokens}
}

func llama(name, desc string, dim, layers, heads, kv, ff, context int, tied bool, tokens float64, source string) Shape {
	return Shape{Name: name, Description: desc, Vocab: 128256, Context: context, Layers: layers, Dim: dim,
		Heads: heads, KVHeads: kv, HeadSize: headSize(dim, heads), FFDim: ff, GatedMLP: true, TiedHead: tied,
		TrainTokens: tokens, TrainTokensSource: source}
}

// Preset returns a named shape (see Presets).
func Preset(name string) (Shape, error) {
	const llama3 = "Meta: pretrained on over 15T tokens"
	const llama32 = "Meta: pretrained on up to 9T tokens"
	switch name {
	case "gpt2":
		return gpt2(name, "GPT-2 small (openai-community/gpt2)", 768, 12, 12), nil
	case "gpt2-medium":
		return gpt2(name, "GPT-2 medium", 1024, 24, 16), nil
	case "gpt2-large":
		return gpt2(name, "GPT-2 large", 1280, 36, 20), nil
	case "gpt2-xl":
		return gpt2(name, "GPT-2 XL", 1600, 48, 25), nil
	case "llama3-8b":
		return llama(name, "Llama 3 8B (meta-llama/Meta-Llama-3-8B)", 4096, 32, 32, 8, 14336, 8192, false, 15e12, llama3), nil
	case "llama3-70b":
		return llama(name, "Llama 3 70B (meta-llama/Meta-Llama-3-70B)", 8192, 80, 64, 8, 28672, 8192, false, 15e12, llama3), nil
	case "llama3.2-1b":
		return llama(name, "Llama 3.2 1B (meta-llama/Llama-3.2-1B)", 2048, 16, 32, 8, 8192, 131072, true, 9e12, llama32), nil
	case "llama3.2-3b":
		return llama(name, "Llama 3.2 3B (meta-llama/Llama-3.2-3B)", 3072, 28, 24, 8, 8192, 131072, true, 9e12, llama32), nil
	case "gpt", "llama":
		cfg, err := transformer.Preset(name)
		if err != nil {
			return Shape{}, err
		}
		s := FromConfig(cfg)
		s.Name, s.Description = name, "tick's "+name+" preset (transformer.Preset)"
		return s, nil
	}
	return Shape{}, fmt.Errorf("unknown preset %q: use one of %s, or --model DIR", name, strings.Join(Presets(), ", "))
}

// FromConfig is the shape of a tick model.
func FromConfig(c transformer.Config) Shape {
	return Shape{Name: "tick model", Vocab: c.VocabSize, Context: c.Context, Layers: c.Layers, Dim: c.Dim,
		Heads: c.Heads, KVHeads: c.KVHeads, HeadSize: c.HeadSize(), FFDim: c.FFDim,
		LearnedPositions: c.Positions == "learned", GatedMLP: c.MLP == "swiglu", LayerNorm: c.Norm == "layernorm" && c.Bias,
		Bias: c.Bias, TiedHead: c.TiedHead,
		TrainTokensSource: "a tick run: see its train log for the tokens it saw"}
}

// Check reports a shape that cannot be a model.
func (s Shape) Check() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"vocab size", s.Vocab}, {"context", s.Context}, {"layers", s.Layers}, {"dim", s.Dim},
		{"heads", s.Heads}, {"kv heads", s.KVHeads}, {"head size", s.HeadSize}, {"MLP width", s.FFDim}} {
		if f.v <= 0 {
			return fmt.Errorf("%s is %d; it must be positive", f.name, f.v)
		}
	}
	if s.Heads%s.KVHeads != 0 {
		return fmt.Errorf("%d heads do not share %d KV heads evenly", s.Heads, s.KVHeads)
	}
	return nil
}

// Counts are the parameters of a model by component.
type Counts struct {
	Embeddings int64 `json:"embeddings"` // token table (+ position table)
	Attention  int64 `json:"attention"`  // Q, K, V and output projections (+ biases), all layers
	MLP        int64 `json:"mlp"`        // up, down (and gate) matrices (+ biases), all layers
	Norms      int64 `json:"norms"`      // two per layer and the final one
	Head       int64 `json:"head"`       // the output matrix; 0 when tied to the embeddings
}

// Total is the number of parameters.
func (c Counts) Total() int64 { return c.Embeddings + c.Attention + c.MLP + c.Norms + c.Head }

// Count counts the parameters of s.
func (s Shape) Count() Counts {
	V, C, L, D, H, KV, hs, F := int64(s.Vocab), int64(s.Context), int64(s.Layers), int64(s.Dim),
		int64(s.Heads), int64(s.KVHeads), int64(s.HeadSize), int64(s.FFDim)
	var c Counts
	c.Embeddings = V * D
	if s.LearnedPositions {
		c.Embeddings += C * D
	}
	attn := D*H*hs + 2*D*KV*hs + H*hs*D // Wq, Wk, Wv, Wo
	mlp := 2 * D * F                    // up, down
	if s.GatedMLP {
		mlp += D * F // gate
	}
	if s.Bias {
		attn += H*hs + 2*KV*hs + D
		mlp += F + D
		if s.GatedMLP {
			mlp += F
		}
	}
	norm := D
	if s.LayerNorm {
		norm += D
	}
	c.Attention, c.MLP, c.Norms = L*attn, L*mlp, (2*L+1)*norm
	if !s.TiedHead {
		c.Head = V * D
	}
	return c
}
