package transformer

import (
	"math"
	"testing"
)

// BackwardWeighted with the weight 1/count on every scored position is
// the gradient of the mean loss: it must equal Backward's.
func TestBackwardWeightedMatchesBackward(t *testing.T) {
	cfg, _ := Preset("gpt")
	cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = 11, 6, 1, 2, 2, 8, 16
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	ids := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	targets := []int{2, 3, -1, 5, 6, 7, -1, -1, 10, 0}
	m.ZeroGrad()
	if _, err := m.Forward(ids, targets, 2, 5); err != nil {
		t.Fatal(err)
	}
	m.Backward()
	var want [][]float64
	for _, p := range m.Params() {
		want = append(want, append([]float64(nil), p.Grad.RawMatrix().Data...))
	}
	w := make([]float64, len(ids))
	for i := range w {
		w[i] = 1.0 / 7 // 7 scored positions; the -1 ones must be ignored
	}
	m.ZeroGrad()
	if _, err := m.Forward(ids, targets, 2, 5); err != nil {
		t.Fatal(err)
	}
	if err := m.BackwardWeighted(w); err != nil {
		t.Fatal(err)
	}
	for k, p := range m.Params() {
		for i, g := range p.Grad.RawMatrix().Data {
			if math.Abs(g-want[k][i]) > 1e-12 {
				t.Fatalf("%s[%d]: weighted %g, Backward %g", p.Name, i, g, want[k][i])
			}
		}
	}
	if err := m.BackwardWeighted(w[:3]); err == nil {
		t.Error("BackwardWeighted accepted 3 weights for 10 positions")
	}
	if err := m.BackwardHidden(make([]float64, 3)); err == nil {
		t.Error("BackwardHidden accepted a gradient of the wrong size")
	}
}
