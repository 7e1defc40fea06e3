package transformer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// LoRA (Hu et al. 2021) adapts a frozen linear layer y = x·W with a
// trainable low-rank path beside it:
//
//	y = x·W + s·(drop(x)·Aᵀ)·Bᵀ,   s = α/r
//
// A is (r x in) and B is (out x r), exactly PEFT's lora_A.weight and
// lora_B.weight, whatever the orientation of W (GPT-2's Conv1D stores W
// in x out, which PEFT calls fan_in_fan_out; Llama's nn.Linear stores it
// out x in). A starts kaiming-uniform as PEFT draws it, B starts at zero,
// so the adapted model starts exactly equal to its base.
//
// forward:  u = drop(x)·Aᵀ (n x r);  y += s·u·Bᵀ (n x out)
// backward: dB += s·dyᵀ·u (out x r);  du = s·dy·B (n x r);
//
//	dA += duᵀ·drop(x) (r x in);  dx += drop'(du·A) (n x in)
type LoRA struct {
	Module  string // the adapted layer, e.g. model.layers.0.self_attn.q_proj
	A, B    *Param // lora_A.weight (r x in), lora_B.weight (out x r)
	Rank    int
	Alpha   float64
	Dropout float64

	lin   *linear
	site  uint64    // dropout site, distinct from the model's own sites
	drop  bool      // this forward applies dropout
	seed  uint64    // dropout seed of this forward
	u     []float64 // n x r of the last forward
	xd    []float64 // n x in: drop(x) of the last forward (dropout only)
	mask  []float64 // n x in
	du    []float64 // n x r
	dxd   []float64 // n x in (dropout only)
	lastN int
}

// Scale is α/r, the factor on the low-rank path.
func (l *LoRA) Scale() float64 { return l.Alpha / float64(l.Rank) }

// In and Out are the input and output widths of the adapted layer.
func (l *LoRA) In() int  { return l.lin.in }
func (l *LoRA) Out() int { return l.lin.out }

// FanInFanOut reports whether the base weight is stored (in x out), GPT-2's
// Conv1D layout, which PEFT's adapter_config.json records as fan_in_fan_out.
func (l *LoRA) FanInFanOut() bool { return !l.lin.outIn }

func (l *LoRA) buffers(n int) {
	if l.lastN == n {
		return
	}
	r, in := l.Rank, l.lin.in
	l.u, l.du = floats(n*r), floats(n*r)
	if l.Dropout > 0 {
		l.xd, l.mask, l.dxd = floats(n*in), floats(n*in), floats(n*in)
	}
	l.lastN = n
}

// input returns drop(x) as a BLAS matrix: x itself without dropout.
func (l *LoRA) input(x blas64.General) blas64.General {
	if !l.drop {
		return x
	}
	in := l.lin.in
	for i := 0; i < x.Rows; i++ {
		copy(l.xd[i*in:(i+1)*in], x.Data[i*x.Stride:i*x.Stride+in])
	}
	dropoutMask(l.mask[:x.Rows*in], l.Dropout, l.seed, l.site)
	mulInPlace(l.xd[:x.Rows*in], l.mask[:x.Rows*in])
	return general(l.xd, x.Rows, in, in)
}

// forward: u = drop(x)·Aᵀ (n x r); y += s·u·Bᵀ (n x out).
func (l *LoRA) forward(y, x blas64.General, workers int) {
	n, r := x.Rows, l.Rank
	l.buffers(n)
	u := general(l.u, n, r, r)
	gemm(blas.NoTrans, blas.Trans, 1, l.input(x), blas64.General(l.A.Value.RawMatrix()), 0, u, workers)
	gemm(blas.NoTrans, blas.Trans, l.Scale(), u, blas64.General(l.B.Value.RawMatrix()), 1, y, workers)
}

// backward: dB += s·dyᵀ·u; du = s·dy·B; dA += duᵀ·drop(x); dx += drop'(du·A).
// It must follow the forward of the same x (drop(x) and u are kept).
func (l *LoRA) backward(dx, dy, x blas64.General, workers int) {
	n, r, in := x.Rows, l.Rank, l.lin.in
	u, du := general(l.u, n, r, r), general(l.du, n, r, r)
	s := l.Scale()
	gemm(blas.Trans, blas.NoTrans, s, dy, u, 1, blas64.General(l.B.Grad.RawMatrix()), workers)
	gemm(blas.NoTrans, blas.NoTrans, s, dy, blas64.General(l.B.Value.RawMatrix()), 0, du, workers)
	xd := x
	if l.drop {
		xd = general(l.xd, n, in, in)
	}
	gemm(blas.Trans, blas.NoTrans, 1, du, xd, 1, blas64.General(l.A.Grad.RawMatrix()), workers)
	if dx.Data == nil {
		return
	}
	a := blas64.General(l.A.Value.RawMatrix())
	if !l.drop {
		gemm(blas.NoTrans, blas.NoTrans, 1, du, a, 1, dx, workers)
		return
	}
	dxd := general(l.dxd, n, in, in)
	gemm(blas.NoTrans, blas.NoTrans, 1, du, a, 0, dxd, workers)
	mulInPlace(l.dxd[:n*in], l.mask[:n*in])
	for i := 0; i < n; i++ {
		row := dx.Data[i*dx.Stride : i*dx.Stride+in]
		for j, v := range l.dxd[i*in : (i+1)*in] {
			row[j] += v
		}
	}
}

// LoRAConfig says which layers get adapters and how.
type LoRAConfig struct {
	Rank    int      // r
	Alpha   float64  // α; the path is scaled by α/r
	Dropout float64  // dropout on the adapter input while training, in [0, 1)
	Targets []string // module name suffixes (PEFT's target_modules), or the short names q,k,v,o,gate,up,down
	Seed    uint64   // draws A
}

// shortTargets maps the short names of tick's flags to Llama's module names.
var shortTargets = map[string]string{
	"q": "q_proj", "k": "k_proj", "v": "v_proj", "o": "o_proj",
	"gate": "gate_proj", "up": "up_proj", "down": "down_proj",
}

// linears returns the model's adaptable layers by module name (parameter
// name without ".weight"), in parameter order. The output head is not one.
func (m *Model) linears() ([]string, map[string]*linear) {
	byName := map[string]*linear{}
	var names []string
	addL := func(l *linear) {
		if l.W == nil {
			return
		}
		name := strings.TrimSuffix(l.W.Name, ".weight")
		names = append(names, name)
		byName[name] = l
	}
	for i := range m.blocks {
		b := &m.blocks[i]
		for j := range b.qkv {
			addL(&b.qkv[j])
		}
		addL(&b.proj)
		addL(&b.gate)
		addL(&b.up)
		addL(&b.down)
	}
	return names, byName
}

// LoRATargets lists the target names valid for this model: the last part of
// each adaptable module's name (q_proj, ..., or c_attn, c_proj, c_fc).
func (m *Model) LoRATargets() []string {
	names, _ := m.linears()
	var out []string
	for _, n := range names {
		t := n[strings.LastIndex(n, ".")+1:]
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// ExpandTargets turns the user's target names into module-name suffixes:
// short names (q, v, ...) become Llama's (q_proj, v_proj, ...). An unknown
// name is an error listing the valid ones.
func (m *Model) ExpandTargets(targets []string) ([]string, error) {
	valid := m.LoRATargets()
	var out []string
	for _, t := range targets {
		t = strings.TrimSpace(t)
		if full, ok := shortTargets[t]; ok && slices.Contains(valid, full) {
			t = full
		} else if (t == "q" || t == "k" || t == "v") && slices.Contains(valid, "c_attn") {
			t = "c_attn" // GPT-2 computes q, k and v in one fused layer
		}
		if !slices.Contains(valid, t) {
			return nil, fmt.Errorf("LoRA target %q is not a layer of this model; valid targets: %s", t, strings.Join(valid, ", "))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no LoRA targets given; valid targets: %s", strings.Join(valid, ", "))
	}
	return out, nil
}

// AddLoRA freezes every parameter of the model and puts an adapter beside
// each linear layer whose module name ends in one of cfg.Targets (PEFT
// matches target_modules by suffix, so GPT-2's c_proj adapts both the
// attention and the MLP projection). It returns the adapters in parameter
// order; Trainable then returns their A and B only.
func (m *Model) AddLoRA(cfg LoRAConfig) ([]*LoRA, error) {
	if m.inference {
		return nil, fmt.Errorf("add LoRA: %w", ErrInferenceOnly)
	}
	if len(m.loras) > 0 {
		return nil, fmt.Errorf("the model already has LoRA adapters; merge them first (tick merge)")
	}
	targets, err := m.ExpandTargets(cfg.Targets)
	if err != nil {
		return nil, err
	}
	if !(cfg.Dropout >= 0 && cfg.Dropout < 1) {
		return nil, fmt.Errorf("LoRA dropout %g: it must be in [0, 1)", cfg.Dropout)
	}
	if !(cfg.Alpha > 0) || math.IsInf(cfg.Alpha, 0) {
		return nil, fmt.Errorf("LoRA alpha %g: it must be a positive number", cfg.Alpha)
	}
	names, byName := m.linears()
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x4c6f5241))
	var added []*LoRA
	for _, name := range names {
		if !slices.ContainsFunc(targets, func(t string) bool { return name == t || strings.HasSuffix(name, "."+t) }) {
			continue
		}
		lin := byName[name]
		if cfg.Rank < 1 || cfg.Rank > min(lin.in, lin.out) {
			return nil, fmt.Errorf("LoRA rank %d for %s (%d -> %d): it must be between 1 and %d", cfg.Rank, name, lin.in, lin.out, min(lin.in, lin.out))
		}
		ad := &LoRA{Module: name, Rank: cfg.Rank, Alpha: cfg.Alpha, Dropout: cfg.Dropout, lin: lin,
			site: 1<<32 + uint64(len(added)),
			A:    newMatrix("base_model.model."+name+".lora_A.weight", cfg.Rank, lin.in, initZeros),
			B:    newMatrix("base_model.model."+name+".lora_B.weight", lin.out, cfg.Rank, initZeros)}
		ad.A.Decay, ad.B.Decay = false, false
		// PEFT: nn.init.kaiming_uniform_(A, a=√5), bound = gain·√(3/fan_in) with
		// gain = √(2/(1+a²)), which is 1/√in.
		bound := 1 / math.Sqrt(float64(lin.in))
		for i, a := 0, ad.A.Value.RawMatrix().Data; i < len(a); i++ {
			a[i] = bound * (2*rng.Float64() - 1)
		}
		added = append(added, ad)
	}
	for _, p := range m.params {
		p.Frozen = true
	}
	for _, ad := range added {
		ad.lin.lora = ad
	}
	m.loras = added
	return added, nil
}

// LoRAs returns the model's adapters (nil without).
func (m *Model) LoRAs() []*LoRA { return m.loras }

// Trainable returns the parameters an optimiser moves: every parameter not
// frozen, then each adapter's A and B.
func (m *Model) Trainable() []*Param {
	var out []*Param
	if m.inference {
		return nil // no gradients to train with
	}
	for _, p := range m.params {
		if !p.Frozen {
			out = append(out, p)
		}
	}
	for _, ad := range m.loras {
		out = append(out, ad.A, ad.B)
	}
	return out
}

// NumTrainable is the number of scalars in Trainable.
func (m *Model) NumTrainable() int {
	n := 0
	for _, p := range m.Trainable() {
		n += p.Size()
	}
	return n
}

// prepareLoRA tells the adapters whether this forward drops and with what
// seed; training counts forwards for fresh masks even when the model itself
// has no dropout.
func (m *Model) prepareLoRA(drop bool, seed uint64) {
	if drop && len(m.loras) > 0 && !m.dropoutOn() {
		m.dropStep++
	}
	for _, ad := range m.loras {
		ad.drop, ad.seed = drop && ad.Dropout > 0, seed
	}
}

// Delta returns s·(B·A) in the orientation of the base weight: (out x in)
// for nn.Linear, (in x out) for Conv1D, so W + Delta is the merged weight.
func (l *LoRA) Delta() *mat.Dense {
	var d mat.Dense
	d.Mul(l.B.Value, l.A.Value) // out x in
	d.Scale(l.Scale(), &d)
	if l.lin.outIn {
		return &d
	}
	var t mat.Dense
	t.CloneFrom(d.T())
	return &t
}

// MergeLoRA folds every adapter into its base weight, W ← W + (α/r)·B·A
// (transposed for Conv1D), removes the adapters and unfreezes the model:
// the result is a plain model with the adapted model's logits.
func (m *Model) MergeLoRA() {
	for _, ad := range m.loras {
		ad.lin.W.Value.Add(ad.lin.W.Value, ad.Delta())
		ad.lin.lora = nil
	}
	m.loras = nil
	for _, p := range m.params {
		p.Frozen = false
	}
}
