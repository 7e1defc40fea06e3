package transformer

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/quant"
)

// toInference copies m into an inference-only model: its matrices rounded
// to float32 (Load32), its vectors exactly.
func toInference(t *testing.T, m *Model) *Model {
	t.Helper()
	inf, err := NewInference(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range inf.Params() {
		src := m.Params()[i].Value.RawMatrix().Data
		data := make([]float32, len(src))
		for j, v := range src {
			data[j] = float32(v)
		}
		if err := p.Load32(data); err != nil {
			t.Fatal(err)
		}
	}
	return inf
}

// TestInferenceMatchesFloat32Cache: an inference-only model's cache gives
// exactly the logits of NewCacheFloat32 on the float64 model it came from
// when that model's values are float32 ones (then both read the same
// weights and do the same arithmetic), on every architecture
// variant, and holds no gradient and no float64 matrix.
func TestInferenceMatchesFloat32Cache(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 3)
			if err != nil {
				t.Fatal(err)
			}
			roughen(m, rand.New(rand.NewPCG(4, 5)))
			for _, p := range m.Params() { // float32 values, so the embedding rows agree exactly too
				for j, v := range p.Value.RawMatrix().Data {
					p.Value.RawMatrix().Data[j] = float64(float32(v))
				}
			}
			inf := toInference(t, m)
			if inf.NumParams() != m.NumParams() {
				t.Fatalf("%d parameters, want %d", inf.NumParams(), m.NumParams())
			}
			for _, p := range inf.Params() {
				if p.Grad != nil || (len(p.Shape()) == 2) != p.IsFloat32() {
					t.Fatalf("%s: Grad %v, float32 %v: want no gradient and float32 exactly for matrices", p.Name, p.Grad != nil, p.IsFloat32())
				}
			}
			want, got := m.NewCacheFloat32(), inf.NewCache()
			for pos := range cfg.Context {
				id := (3*pos + 1) % cfg.VocabSize
				w, err := want.Push(id)
				if err != nil {
					t.Fatal(err)
				}
				g, err := got.Push(id)
				if err != nil {
					t.Fatal(err)
				}
				for j := range w {
					if g[j] != w[j] {
						t.Fatalf("position %d logit %d: %g, float32 cache of the float64 model %g", pos, j, g[j], w[j])
					}
				}
			}
		})
	}
}

// TestInferenceOnlyRefuses: what needs float64 weights or gradients is a
// clear error on an inference-only model, not a nil-pointer panic.
func TestInferenceOnlyRefuses(t *testing.T) {
	inf, err := NewInference(tinyConfigs(t)["llama"])
	if err != nil {
		t.Fatal(err)
	}
	_, fwd := inf.Forward([]int{1, 2}, []int{2, 3}, 1, 2)
	inf.Backward() // nothing to differentiate: must not panic
	inf.ZeroGrad()
	_, lora := inf.AddLoRA(LoRAConfig{Rank: 2, Alpha: 4, Targets: []string{"q_proj"}})
	_, qb := inf.QuantizeBase(quant.Int8, false)
	for what, err := range map[string]error{"Forward": fwd, "Save": inf.Save(t.TempDir()), "AddLoRA": lora, "QuantizeBase": qb} {
		if !errors.Is(err, ErrInferenceOnly) {
			t.Errorf("%s: error %v, want ErrInferenceOnly", what, err)
		}
	}
	if n := len(inf.Trainable()); n != 0 {
		t.Errorf("%d trainable parameters, want none", n)
	}
	if err := inf.Params()[0].Load32(make([]float32, 3)); err == nil {
		t.Error("Load32 of the wrong length: no error")
	}
}
