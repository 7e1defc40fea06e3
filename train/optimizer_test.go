package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/internal/tinymodel"
	"github.com/tick-llm/tick/transformer"
)

func tinyModel(t *testing.T) *transformer.Model {
	t.Helper()
	return tinymodel.New(t, "gpt", tinymodel.Sizes{Vocab: 11, Context: 6, Layers: 1, Heads: 2, KVHeads: 2, Dim: 8, FFDim: 16}, 3)
}

// TestOptimizerAccumMatchesOneBatch: accumulating two half batches takes
// the same step, with the same loss and gradient norm, as the whole batch at
// once (every target scored, so the mean of the halves' means is the mean).
func TestOptimizerAccumMatchesOneBatch(t *testing.T) {
	const B, T = 4, 6
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := make([]int, B*T), make([]int, B*T)
	for i := range x {
		x[i], y[i] = rng.IntN(11), rng.IntN(11)
	}
	sched := Schedule{Max: 1e-2, Min: 1e-3, Warmup: 1, Steps: 3}
	for _, clip := range []float64{0, 0.1} {
		whole, halves := tinyModel(t), tinyModel(t)
		a, err := NewOptimizer(whole, NewAdamWFor(whole, 0.9, 0.95, 0.1), sched, clip, 7)
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewOptimizer(halves, NewAdamWFor(halves, 0.9, 0.95, 0.1), sched, clip, 7)
		if err != nil {
			t.Fatal(err)
		}
		for step := 1; step <= 3; step++ {
			la, na, err := a.Step(step, x, y, B, T)
			if err != nil {
				t.Fatal(err)
			}
			half := 0
			lb, nb, err := b.StepAccum(step, 2, B/2, T, func() ([]int, []int) {
				lo, hi := half*B/2*T, (half+1)*B/2*T
				half++
				return x[lo:hi], y[lo:hi]
			})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(la-lb) > 1e-12 || math.Abs(na-nb) > 1e-12*na {
				t.Errorf("clip %g step %d: whole batch loss %v norm %v, accumulated loss %v norm %v", clip, step, la, na, lb, nb)
			}
		}
		pa, pb := whole.Params(), halves.Params()
		for i := range pa {
			va, vb := pa[i].Value.RawMatrix().Data, pb[i].Value.RawMatrix().Data
			for j := range va {
				if math.Abs(va[j]-vb[j]) > 1e-10 {
					t.Fatalf("clip %g: %s[%d] = %v after whole batches, %v after accumulated halves", clip, pa[i].Name, j, va[j], vb[j])
				}
			}
		}
	}
}

// TestOptimizerDiverged: a NaN loss is reported as ErrDiverged and leaves
// the weights and AdamW's step count as they were.
func TestOptimizerDiverged(t *testing.T) {
	m := tinyModel(t)
	o, err := NewOptimizer(m, NewAdamWFor(m, 0.9, 0.95, 0.1), Schedule{Max: 1e-2, Steps: 1}, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := m.Params()[len(m.Params())-1].Value.RawMatrix().Data
	p[0] = math.NaN()
	other := m.Params()[0].Value.RawMatrix().Data
	before := append([]float64(nil), other...)
	x := []int{1, 2, 3, 4, 5, 6}
	_, _, err = o.Step(1, x, x, 1, 6)
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("got error %v, want ErrDiverged", err)
	}
	for j := range other {
		if other[j] != before[j] {
			t.Fatalf("weight %d moved from %v to %v on a diverged step", j, before[j], other[j])
		}
	}
	if o.AdamW.T != 0 {
		t.Errorf("AdamW step count %d after a diverged step, want 0", o.AdamW.T)
	}
}
