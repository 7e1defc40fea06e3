package transformer

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// allTargets adapts every linear layer of the model.
func allTargets(m *Model) []string { return m.LoRATargets() }

func loraBatch(cfg Config, rng *rand.Rand) (ids, targets []int) {
	ids, targets = make([]int, 12), make([]int, 12)
	for i := range ids {
		ids[i], targets[i] = rng.IntN(cfg.VocabSize), rng.IntN(cfg.VocabSize)
	}
	return ids, targets
}

// TestLoRAGrad checks the gradients of every adapter's A and B (B drawn
// non-zero, so both paths carry signal) against finite differences, with
// and without adapter dropout, and that the frozen base gets none.
func TestLoRAGrad(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		for _, dropout := range []float64{0, 0.1} {
			t.Run(name+map[bool]string{true: "+dropout", false: ""}[dropout > 0], func(t *testing.T) {
				m, err := New(cfg, 1)
				if err != nil {
					t.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(3, 4))
				roughen(m, rng)
				ads, err := m.AddLoRA(LoRAConfig{Rank: 3, Alpha: 6, Dropout: dropout, Targets: allTargets(m), Seed: 5})
				if err != nil {
					t.Fatal(err)
				}
				for _, ad := range ads {
					for i, b := 0, ad.B.Value.RawMatrix().Data; i < len(b); i++ {
						b[i] = 0.5 * rng.NormFloat64()
					}
				}
				ids, targets := loraBatch(cfg, rng)
				loss := func() float64 {
					m.SetTraining(dropout > 0, 7) // the same masks at every evaluation
					l, err := m.Forward(ids, targets, 2, 6)
					if err != nil {
						t.Fatal(err)
					}
					return l
				}
				for _, p := range m.Params() { // poison: frozen gradients must stay untouched
					p.Grad.RawMatrix().Data[0] = 42
				}
				loss()
				m.ZeroGrad()
				m.Backward()
				for _, p := range m.Params() {
					if strings.Contains(p.Name, "weight") && p.Grad.RawMatrix().Data[0] == 0 && p.Value.RawMatrix().Cols > 1 && !strings.Contains(p.Name, "norm") && !strings.Contains(p.Name, "ln_") && !strings.Contains(p.Name, "wte") && !strings.Contains(p.Name, "embed") && !strings.Contains(p.Name, "wpe") && p.Name != "lm_head.weight" {
						t.Errorf("%s: a frozen linear weight got a gradient (ZeroGrad or backward touched it)", p.Name)
					}
				}
				if got, want := len(m.Trainable()), 2*len(ads); got != want {
					t.Fatalf("Trainable has %d parameters, want the %d of the adapters", got, want)
				}
				grads := map[*Param][]float64{}
				for _, p := range m.Trainable() {
					grads[p] = slices.Clone(p.Grad.RawMatrix().Data)
				}
				for _, p := range m.Trainable() {
					checkGrad(t, p.Name, p.Value.RawMatrix().Data, grads[p], loss, 12, rng)
				}
			})
		}
	}
}

// TestLoRAStartsAtBase: with B = 0 the adapted model's logits are
// bit-for-bit the base model's.
func TestLoRAStartsAtBase(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		m, _ := New(cfg, 1)
		rng := rand.New(rand.NewPCG(8, 9))
		roughen(m, rng)
		ids, _ := loraBatch(cfg, rng)
		if _, err := m.Forward(ids, nil, 2, 6); err != nil {
			t.Fatal(err)
		}
		base := slices.Clone(m.Logits().RawMatrix().Data)
		if _, err := m.AddLoRA(LoRAConfig{Rank: 2, Alpha: 16, Targets: allTargets(m), Seed: 1}); err != nil {
			t.Fatal(err)
		}
		m.Forward(ids, nil, 2, 6)
		if got := m.Logits().RawMatrix().Data; !slices.Equal(got, base) {
			t.Errorf("%s: logits with fresh adapters differ from the base", name)
		}
		if m.LoRAs()[0].A.Value.RawMatrix().Data[0] == 0 {
			t.Errorf("%s: A is zero; PEFT draws it kaiming-uniform", name)
		}
	}
}

// TestLoRAMerge: W + (α/r)·B·A (transposed for Conv1D) gives the adapted
// model's logits to 1e-9, in both naming schemes.
func TestLoRAMerge(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		m, _ := New(cfg, 1)
		rng := rand.New(rand.NewPCG(10, 11))
		roughen(m, rng)
		ads, err := m.AddLoRA(LoRAConfig{Rank: 4, Alpha: 8, Targets: allTargets(m), Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, ad := range ads {
			for i, b := 0, ad.B.Value.RawMatrix().Data; i < len(b); i++ {
				b[i] = 0.3 * rng.NormFloat64()
			}
		}
		ids, _ := loraBatch(cfg, rng)
		m.Forward(ids, nil, 2, 6)
		adapted := slices.Clone(m.Logits().RawMatrix().Data)
		m.MergeLoRA()
		m.Forward(ids, nil, 2, 6)
		worst := 0.0
		for i, v := range m.Logits().RawMatrix().Data {
			worst = max(worst, math.Abs(v-adapted[i]))
		}
		if worst > 1e-9 {
			t.Errorf("%s: merged logits differ from the adapted ones by %g > 1e-9", name, worst)
		}
		if len(m.LoRAs()) != 0 || len(m.Trainable()) != len(m.Params()) {
			t.Errorf("%s: after merging the model still has adapters or frozen parameters", name)
		}
	}
}

// TestLoRABadInput: each mistake is one error that names the fix.
func TestLoRABadInput(t *testing.T) {
	cfgs := tinyConfigs(t)
	gpt, llama := cfgs["gpt"], cfgs["llama"]
	cases := []struct {
		cfg  Config
		lc   LoRAConfig
		want string
	}{
		{gpt, LoRAConfig{Rank: 0, Alpha: 1, Targets: []string{"c_attn"}}, "rank 0"},
		{gpt, LoRAConfig{Rank: 17, Alpha: 1, Targets: []string{"c_attn"}}, "between 1 and 16"},
		{gpt, LoRAConfig{Rank: 2, Alpha: 1, Targets: []string{"gate"}}, "valid targets: c_attn, c_proj, c_fc"},
		{llama, LoRAConfig{Rank: 2, Alpha: 1, Targets: []string{"c_attn"}}, "valid targets: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"},
		{llama, LoRAConfig{Rank: 2, Alpha: 0, Targets: []string{"q"}}, "alpha"},
		{llama, LoRAConfig{Rank: 2, Alpha: 1, Dropout: 1, Targets: []string{"q"}}, "dropout"},
	}
	for _, c := range cases {
		m, _ := New(c.cfg, 1)
		_, err := m.AddLoRA(c.lc)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: error %v, want one line containing %q", c.lc, err, c.want)
		}
	}
	// PEFT matches by suffix: c_proj adapts the attention and the MLP projection.
	m, _ := New(gpt, 1)
	ads, _ := m.AddLoRA(LoRAConfig{Rank: 2, Alpha: 1, Targets: []string{"c_proj"}})
	if len(ads) != 2*gpt.Layers {
		t.Errorf("c_proj adapted %d layers, want %d (attn.c_proj and mlp.c_proj of each layer)", len(ads), 2*gpt.Layers)
	}
}

// TestQLoRAGrad: over an NF4 base (frozen, dequantized as it computes) the
// adapters' gradients still match finite differences.
func TestQLoRAGrad(t *testing.T) {
	for _, name := range []string{"gpt", "llama"} {
		cfg := tinyConfigs(t)[name]
		m, _ := New(cfg, 1)
		rng := rand.New(rand.NewPCG(30, 31))
		roughen(m, rng)
		if _, err := m.QuantizeBase("nf4", true); err != nil {
			t.Fatal(err)
		}
		ads, err := m.AddLoRA(LoRAConfig{Rank: 2, Alpha: 4, Targets: allTargets(m), Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, ad := range ads {
			for i, b := 0, ad.B.Value.RawMatrix().Data; i < len(b); i++ {
				b[i] = 0.5 * rng.NormFloat64()
			}
		}
		ids, targets := loraBatch(cfg, rng)
		loss := func() float64 {
			l, err := m.Forward(ids, targets, 2, 6)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		loss()
		m.ZeroGrad()
		m.Backward()
		grads := map[*Param][]float64{}
		for _, p := range m.Trainable() {
			grads[p] = slices.Clone(p.Grad.RawMatrix().Data)
		}
		for _, p := range m.Trainable() {
			checkGrad(t, name+" "+p.Name, p.Value.RawMatrix().Data, grads[p], loss, 12, rng)
		}
		if _, err := m.QuantizeBase("nf4", false); err == nil || !strings.Contains(err.Error(), "already quantized") {
			t.Errorf("quantizing twice: %v, want an error saying it is already quantized", err)
		}
	}
}
