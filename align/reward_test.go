package align

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Bradley–Terry: gradients of the transformer and of the scalar head
// against central differences; a zero head would make every gradient 0, so
// the head is drawn at random first.
func TestRewardGradient(t *testing.T) {
	rm, err := NewRewardModel(tinyModel(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for j := range rm.W {
		rm.W[j] = rng.NormFloat64()
	}
	rm.B = 0.3
	loss := func() float64 {
		var ins []Instruction
		var c, r []string
		for _, p := range testPairs {
			ins, c, r = append(ins, p.Instruction), append(c, p.Chosen), append(r, p.Rejected)
		}
		rc, _, _ := rm.Rewards(ins, c)
		rr, _, _ := rm.Rewards(ins, r)
		l, _, _, _ := BTLoss(rc, rr)
		return l
	}
	gradCheck(t, rm.Model, loss, func() {
		if _, _, err := rm.Grad(testPairs); err != nil {
			t.Fatal(err)
		}
	})
	const h = 1e-6
	for j := range rm.W {
		old := rm.W[j]
		rm.W[j] = old + h
		up := loss()
		rm.W[j] = old - h
		down := loss()
		rm.W[j] = old
		if num := (up - down) / (2 * h); math.Abs(num-rm.GradW[j]) > 1e-6 {
			t.Errorf("head w[%d]: analytic %.9g, finite difference %.9g", j, rm.GradW[j], num)
		}
	}
	// The bias shifts both rewards alike: the loss does not depend on it.
	if math.Abs(rm.GradB) > 1e-12 {
		t.Errorf("head bias gradient %g, want 0", rm.GradB)
	}
}

// A zero head gives every reply reward 0: the loss starts at ln 2.
func TestRewardTrains(t *testing.T) {
	rm, _ := NewRewardModel(tinyModel(t, 7))
	var first float64
	err := TrainReward(rm, testPairs, Plan{Steps: 30, Batch: 3, LR: 3e-3, Seed: 1, Log: func(s int, f map[string]float64) {
		if s == 1 {
			first = f["loss"]
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(first-math.Ln2) > 1e-12 {
		t.Errorf("first loss %.6f, want ln 2", first)
	}
	acc, err := rm.PairAccuracy(testPairs)
	if err != nil || acc != 1 {
		t.Errorf("pair accuracy on its training pairs %g (%v), want 1", acc, err)
	}
}
