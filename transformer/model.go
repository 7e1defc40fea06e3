package transformer

import (
	"fmt"

	"github.com/tick-llm/tick/quant"

	"gonum.org/v1/gonum/mat"
)

// Model is a decoder-only transformer: token (and learned position)
// embeddings, Config.Layers pre-norm blocks
//
//	x = x + Attention(Norm1(x))
//	x = x + MLP(Norm2(x))
//
// then a final norm and the output head giving next-token logits.
//
// Forward keeps every intermediate of the last call (for Backward and for
// inspection through Logits, Probs, Attention and PositionLosses); they are
// reused by the next Forward of the same (B, T) shape, so slices and
// matrices returned by the inspection methods are overwritten by it.
// A Model is not safe for concurrent use.
type Model struct {
	Config Config

	params []*Param
	wte    *Param // token embedding (V x D); also the head when TiedHead
	wpe    *Param // learned positions (Context x D), nil with RoPE
	blocks []block
	normF  norm
	head   linear // logits = hf·Wᵀ, W (V x D)

	cos, sin []float64 // RoPE tables (Context x hs/2)
	workers  int

	training bool   // dropout on
	dropSeed uint64 // from SetTraining
	dropStep uint64 // training forwards since SetTraining

	loras      []*LoRA    // low-rank adapters (lora.go), nil without
	quantKind  quant.Kind // format of the base linear weights (quantize.go), "" when float
	quantBytes int

	inference bool // NewInference: float32 weight matrices, no gradients (inference.go)

	compute  Precision            // what Forward and Backward compute in (SetCompute)
	a, spare *acts[float64]       // float64: activations of the last Forward and of the shape used before
	a32      *acts[float32]       // float32: the same (only one precision's are kept)
	spare32  *acts[float32]       //
	w32      *weights[float32]    // float32 copies of the values and weight gradients (precision.go)
	cos32    []float32            // RoPE tables rounded for float32 compute
	sin32    []float32            //
	view     map[string][]float64 // float32 compute: float64 copies the public readers return
	only32   []bool               // a replica (replica.go): by Param.idx, the gradient is the float32 products' alone
}

// block is one transformer layer.
type block struct {
	norm1, norm2 norm
	qkv          []linear // GPT naming: fused c_attn; Llama naming: q_proj, k_proj, v_proj
	qkvCol       []int    // first column of each qkv linear in the fused qkv activation
	proj         linear   // attention output projection (c_proj / o_proj)
	gate         linear   // SwiGLU only: gate_proj
	up           linear   // c_fc / up_proj
	down         linear   // MLP output projection (c_proj / down_proj)
}

// New builds a model with GPT-2's initialisation drawn from seed: weights
// N(0, 0.02²), projections into the residual stream N(0, (0.02/√(2·layers))²),
// norm gains 1, biases 0. The same (cfg, seed) always gives the same weights.
func New(cfg Config, seed uint64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := newModel(cfg)
	initParams(m.params, cfg.Layers, seed)
	return m, nil
}

// NewZero builds a model with every parameter zero, for a loader that fills
// them from a checkpoint (see Param and Params for the names).
func NewZero(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newModel(cfg), nil
}

// newModel builds a model of a valid configuration with every parameter
// zero (New draws them, Load reads them): the parameters, named as Hugging
// Face checkpoints name them, and the RoPE tables.
func newModel(c Config) *Model { return buildModel(c, false) }

// buildModel is newModel; with inference, the matrices are float32 and no
// parameter has a gradient (NewInference).
func buildModel(c Config, inference bool) *Model {
	m := &Model{Config: c, workers: defaultWorkers(), inference: inference}
	mk, vec := newMatrix, newVector
	if inference {
		mk, vec = newMatrix32, newVector32
	}
	if c.Positions == "rope" {
		m.cos, m.sin = ropeTables(c.Context, c.HeadSize(), c.RopeTheta, c.RopeScaling)
	}
	gpt := c.naming() == "gpt"
	D, F, V, hs := c.Dim, c.FFDim, c.VocabSize, c.HeadSize()
	add := func(p *Param) *Param {
		p.idx = len(m.params)
		m.params = append(m.params, p)
		return p
	}
	// lin makes a linear layer D_in -> D_out named name.weight / name.bias.
	lin := func(name string, in, out int, init initKind) linear {
		l := linear{in: in, out: out, outIn: !gpt}
		if gpt {
			l.W = add(mk(name+".weight", in, out, init))
		} else {
			l.W = add(mk(name+".weight", out, in, init))
		}
		if c.Bias {
			l.B = add(vec(name+".bias", out, initZeros))
		}
		return l
	}
	nrm := func(name string) norm {
		n := norm{rms: c.Norm == "rmsnorm", eps: c.NormEps, dim: D}
		n.G = add(vec(name+".weight", D, initOnes))
		if !n.rms && c.Bias {
			n.B = add(vec(name+".bias", D, initZeros))
		}
		return n
	}
	if gpt {
		m.wte = add(mk("transformer.wte.weight", V, D, initNormal))
		if c.Positions == "learned" {
			m.wpe = add(mk("transformer.wpe.weight", c.Context, D, initNormal))
		}
	} else {
		m.wte = add(mk("model.embed_tokens.weight", V, D, initNormal))
		if c.Positions == "learned" {
			m.wpe = add(mk("model.embed_positions.weight", c.Context, D, initNormal))
		}
	}
	s := c.attnShape(1, 1)
	for l := 0; l < c.Layers; l++ {
		var b block
		if gpt {
			p := fmt.Sprintf("transformer.h.%d.", l)
			b.norm1 = nrm(p + "ln_1")
			b.qkv = []linear{lin(p+"attn.c_attn", D, s.qkvWidth(), initNormal)}
			b.qkvCol = []int{s.qCol(0)}
			b.proj = lin(p+"attn.c_proj", c.Heads*hs, D, initResidual)
			b.norm2 = nrm(p + "ln_2")
			if c.MLP == "swiglu" {
				b.gate = lin(p+"mlp.c_gate", D, F, initNormal)
			}
			b.up = lin(p+"mlp.c_fc", D, F, initNormal)
			b.down = lin(p+"mlp.c_proj", F, D, initResidual)
		} else {
			p := fmt.Sprintf("model.layers.%d.", l)
			b.norm1 = nrm(p + "input_layernorm")
			b.qkv = []linear{
				lin(p+"self_attn.q_proj", D, c.Heads*hs, initNormal),
				lin(p+"self_attn.k_proj", D, c.KVHeads*hs, initNormal),
				lin(p+"self_attn.v_proj", D, c.KVHeads*hs, initNormal),
			}
			b.qkvCol = []int{s.qCol(0), s.kCol(0), s.vCol(0)}
			b.proj = lin(p+"self_attn.o_proj", c.Heads*hs, D, initResidual)
			b.norm2 = nrm(p + "post_attention_layernorm")
			if c.MLP == "swiglu" {
				b.gate = lin(p+"mlp.gate_proj", D, F, initNormal)
			}
			b.up = lin(p+"mlp.up_proj", D, F, initNormal)
			b.down = lin(p+"mlp.down_proj", F, D, initResidual)
		}
		m.blocks = append(m.blocks, b)
	}
	if gpt {
		m.normF = nrm("transformer.ln_f")
	} else {
		m.normF = nrm("model.norm")
	}
	m.head = linear{W: m.wte, outIn: true, in: D, out: V}
	if !c.TiedHead {
		m.head.W = add(mk("lm_head.weight", V, D, initNormal))
	}
	return m
}

// Params returns the parameters in a fixed order (embeddings, then each
// layer from input to output, then the final norm and the head), named as
// in Hugging Face checkpoints. A tied head appears once, as the embedding.
func (m *Model) Params() []*Param { return m.params }

// Param returns the parameter of the given name, or nil.
func (m *Model) Param(name string) *Param {
	for _, p := range m.params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// NumParams is the number of scalar parameters.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += p.Size()
	}
	return n
}

// ZeroGrad sets every trainable parameter gradient to zero (on a replica
// computing in float32, the gradients GradientParts returns).
func (m *Model) ZeroGrad() {
	kept := m.keeps32()
	for _, p := range m.Trainable() {
		if !kept || !m.only32[p.idx] {
			clear(p.Grad.RawMatrix().Data)
		}
	}
	if kept && m.w32 != nil {
		clear(m.w32.written) // the next products overwrite the float32 gradients
	}
}

// SetTraining turns dropout on (when on and Config.Dropout > 0) or off.
// Masks are a pure function of (seed, number of training Forward calls since
// this call, layer, element), so they do not depend on scheduling; a
// trainer that calls SetTraining(true, seedForStep) before every step gets
// exactly the same masks when it resumes at that step.
func (m *Model) SetTraining(on bool, seed uint64) {
	m.training, m.dropSeed, m.dropStep = on, seed, 0
}

// dropoutOn reports whether the current Forward applies dropout.
func (m *Model) dropoutOn() bool { return m.training && m.Config.Dropout > 0 }

// view64 is a float64 copy of a float32 activation for the public readers
// of a float32 model, kept under name and overwritten by the next call.
func (m *Model) view64(name string, src []float32) []float64 {
	if m.view == nil {
		m.view = map[string][]float64{}
	}
	dst := m.view[name]
	round64(&dst, src)
	m.view[name] = dst
	return dst
}

// last reports the shape of the last Forward: rows n, batch B and length T,
// ok false before any.
func (m *Model) last() (n, B, T int, ok bool) {
	if m.a32 != nil {
		return m.a32.n, m.a32.B, m.a32.T, true
	}
	if m.a != nil {
		return m.a.n, m.a.B, m.a.T, true
	}
	return 0, 0, 0, false
}

// Logits returns the (B*T x VocabSize) logits of the last Forward (nil
// before any). The matrix shares memory with the model; in float32 compute
// it is a float64 copy made by this call.
func (m *Model) Logits() *mat.Dense {
	if m.a32 != nil {
		return mat.NewDense(m.a32.n, m.Config.VocabSize, m.view64("logits", m.a32.logits))
	}
	if m.a == nil {
		return nil
	}
	return mat.NewDense(m.a.n, m.Config.VocabSize, m.a.logits)
}

// Probs returns the (B*T x VocabSize) softmax of the last Forward's logits
// (a float64 copy in float32 compute, as Logits).
func (m *Model) Probs() *mat.Dense {
	if m.a32 != nil {
		return mat.NewDense(m.a32.n, m.Config.VocabSize, m.view64("probs", m.a32.probs))
	}
	if m.a == nil {
		return nil
	}
	return mat.NewDense(m.a.n, m.Config.VocabSize, m.a.probs)
}

// PositionLosses returns the cross-entropy of each of the B*T positions of
// the last Forward (0 where the target was -1), sharing memory with the
// model (float64 in both precisions).
func (m *Model) PositionLosses() []float64 {
	if m.a32 != nil {
		return m.a32.losses
	}
	if m.a == nil {
		return nil
	}
	return m.a.losses
}

// Attention returns the softmax attention weights of one layer from the
// last Forward, indexed [b][h]: the (T x T) matrix of batch row b and query
// head h, row t holding how much position t attends to each position <= t
// (zeros above the diagonal). The matrices share memory with the model (a
// float64 copy in float32 compute). It returns nil before any Forward or
// for a layer out of range.
func (m *Model) Attention(layer int) [][]*mat.Dense {
	_, B, T, ok := m.last()
	if !ok || layer < 0 || layer >= m.Config.Layers {
		return nil
	}
	H := m.Config.Heads
	var att []float64
	if m.a32 != nil {
		att = m.view64(fmt.Sprint("att", layer), m.a32.att[layer])
	} else {
		att = m.a.att[layer]
	}
	out := make([][]*mat.Dense, B)
	for b := range out {
		out[b] = make([]*mat.Dense, H)
		for h := range out[b] {
			u := b*H + h
			out[b][h] = mat.NewDense(T, T, att[u*T*T:(u+1)*T*T])
		}
	}
	return out
}
