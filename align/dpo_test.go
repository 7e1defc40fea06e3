package align

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

var testPairs = []Pair{
	{Instruction{"reverse", "reverse cat", "tac"}, "tac", "sure, tac"},
	{Instruction{"add", "add 2 3", "5"}, "5", "6"},
	{Instruction{"caps", "caps owl", "OWL"}, "OWL", "owl"},
}

// DPO's loss is ln 2 when the policy is its reference: every margin is 0.
func TestDPOStartsAtLn2(t *testing.T) {
	ref := tinyModel(t, 3)
	m, err := Clone(ref)
	if err != nil {
		t.Fatal(err)
	}
	m.ZeroGrad()
	loss, margin, err := DPOGrad(m, ref, testPairs, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-math.Ln2) > 1e-12 || math.Abs(margin) > 1e-12 {
		t.Errorf("loss %.15f (want ln 2 = %.15f), margin %g (want 0)", loss, math.Ln2, margin)
	}
}

// perturb moves every parameter of m by a little noise, so the policy is
// no longer its reference and the margins are not 0.
func perturb(m *transformer.Model, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, p := range m.Params() {
		d := p.Value.RawMatrix().Data
		for i := range d {
			d[i] += 0.05 * rng.NormFloat64()
		}
	}
}

// gradCheck compares the analytic gradient in m's Grad (filled by grad)
// with central differences of loss on a few entries of every parameter.
func gradCheck(t *testing.T, m *transformer.Model, loss func() float64, grad func()) {
	t.Helper()
	m.ZeroGrad()
	grad()
	const h = 1e-5
	checked := 0
	for _, p := range m.Params() {
		v, g := p.Value.RawMatrix().Data, p.Grad.RawMatrix().Data
		for _, i := range []int{0, len(v) / 3, len(v) - 1} {
			old := v[i]
			v[i] = old + h
			up := loss()
			v[i] = old - h
			down := loss()
			v[i] = old
			num := (up - down) / (2 * h)
			if math.Abs(num-g[i]) > 1e-6+1e-4*math.Abs(num) {
				t.Errorf("%s[%d]: analytic %.9g, finite difference %.9g", p.Name, i, g[i], num)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no parameter checked")
	}
}

func TestDPOGradient(t *testing.T) {
	ref := tinyModel(t, 4)
	m, _ := Clone(ref)
	perturb(m, 1)
	const beta = 0.5
	loss := func() float64 {
		b, _ := pairBatch(testPairs)
		lr, _ := SeqLogProbs(ref, b)
		lp, _ := SeqLogProbs(m, b)
		N := len(testPairs)
		l, _, _, _ := DPOLoss(lp[:N], lp[N:], lr[:N], lr[N:], beta)
		return l
	}
	gradCheck(t, m, loss, func() {
		if _, _, err := DPOGrad(m, ref, testPairs, beta); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDPOBadBeta(t *testing.T) {
	ref := tinyModel(t, 4)
	for _, beta := range []float64{0, -1, math.NaN()} {
		if _, _, err := DPOGrad(ref, ref, testPairs, beta); err == nil {
			t.Errorf("β %g accepted", beta)
		}
	}
}

// A few DPO steps raise the preferred replies' margin over the reference.
func TestDPOStepRaisesMargin(t *testing.T) {
	ref := tinyModel(t, 5)
	m, _ := Clone(ref)
	var first, last float64
	err := DPO(m, ref, testPairs, 0.5, Plan{Steps: 15, Batch: 3, LR: 3e-3, Seed: 1, Log: func(s int, f map[string]float64) {
		if s == 1 {
			first = f["loss"]
		}
		last = f["loss"]
	}})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(first-math.Ln2) > 1e-9 || !(last < first) {
		t.Errorf("DPO loss %.4f -> %.4f; want ln 2 then lower", first, last)
	}
}
