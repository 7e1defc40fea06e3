package transformer

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tick-llm/tick/transformer/safetensors"
)

// TestPEFTFixture loads adapters written in PEFT's exact layout by
// testdata/peft_reference.py (plain torch; no tick code) onto bases of the
// fixture's weights, merges them with MergeLoRA and compares every merged
// weight with the script's PEFT formula, transpose(B·A, fan_in_fan_out)·α/r,
// to 1e-12; the adapted and merged logits agree to 1e-9.
func TestPEFTFixture(t *testing.T) {
	for _, name := range []string{"gpt", "llama"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Preset(name)
			if err != nil {
				t.Fatal(err)
			}
			cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Dim, cfg.FFDim, cfg.Heads, cfg.KVHeads = 11, 8, 1, 8, 16, 2, 2
			if name == "llama" {
				cfg.KVHeads = 1
			}
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			tensors, _, err := safetensors.Read(filepath.Join("testdata", "peft", name+"_expected.safetensors"))
			if err != nil {
				t.Fatalf("%v (regenerate with /usr/bin/python3 transformer/testdata/peft_reference.py)", err)
			}
			want := map[string][]float64{}
			for _, tn := range tensors {
				want[tn.Name] = tn.Data
			}
			names, _ := m.linears()
			for _, mod := range names {
				p := m.Param(mod + ".weight")
				base, ok := want["base/"+p.Name]
				if !ok || len(base) != p.Size() {
					t.Fatalf("fixture has no base weight %s of %d values", p.Name, p.Size())
				}
				copy(p.Value.RawMatrix().Data, base)
			}
			if _, err := m.LoadAdapter(filepath.Join("testdata", "peft", name)); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 1))
			ids := make([]int, 2*cfg.Context)
			for i := range ids {
				ids[i] = rng.IntN(cfg.VocabSize)
			}
			m.Forward(ids, nil, 2, cfg.Context)
			adapted := slices.Clone(m.Logits().RawMatrix().Data)
			m.MergeLoRA()
			for _, mod := range names {
				p := m.Param(mod + ".weight")
				for i, v := range p.Value.RawMatrix().Data {
					if w := want["merged/"+p.Name][i]; math.Abs(v-w) > 1e-12 {
						t.Fatalf("%s[%d]: tick merged %.15g, PEFT's formula %.15g", p.Name, i, v, w)
					}
				}
			}
			m.Forward(ids, nil, 2, cfg.Context)
			for i, v := range m.Logits().RawMatrix().Data {
				if math.Abs(v-adapted[i]) > 1e-9 {
					t.Fatalf("logit %d: merged %g, adapted %g", i, v, adapted[i])
				}
			}
		})
	}
}
