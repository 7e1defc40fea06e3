package align

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

// sampledBatch samples one reply from m to each of the first n
// instructions and lays them out as a batch, with the prompts' tokens.
func sampledBatch(t *testing.T, m *transformer.Model, n int, seed uint64) (Batch, [][]int, [][]int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var prompts, replies [][]int
	for _, in := range Instructions()[:n] {
		ids, err := Reply(m, in.Prompt, rng)
		if err != nil {
			t.Fatal(err)
		}
		prompts, replies = append(prompts, PromptIDs(in.Prompt)), append(replies, ids)
	}
	b, err := Encode(prompts, replies)
	if err != nil {
		t.Fatal(err)
	}
	return b, prompts, replies
}

// tinyValueModel is a value model from a reward model over a perturbed
// tiny transformer, its head drawn at random (a zero head would make every
// transformer gradient 0).
func tinyValueModel(t *testing.T, seed uint64) *ValueModel {
	t.Helper()
	rm, err := NewRewardModel(tinyModel(t, seed))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	for j := range rm.W {
		rm.W[j] = rng.NormFloat64()
	}
	rm.B = 0.3
	vm, err := NewValueModel(rm)
	if err != nil {
		t.Fatal(err)
	}
	return vm
}

// The value model starts as the reward model: at the position that reads
// a conversation's last token, its value is the reward model's reward.
func TestValueModelStartsAsRewardModel(t *testing.T) {
	vm := tinyValueModel(t, 12)
	rm := &RewardModel{Model: vm.Model, W: vm.W, B: vm.B}
	ins := Instructions()[:3]
	replies := []string{"tac", "sure, CAT", "x"}
	r, _, err := rm.Rewards(ins, replies)
	if err != nil {
		t.Fatal(err)
	}
	// Append one more token after <|end|> so that position reads the whole
	// conversation and is scored.
	var prompts, rs [][]int
	for i := range ins {
		prompts, rs = append(prompts, PromptIDs(ins[i].Prompt)), append(rs, append(ReplyIDs(replies[i]), End))
	}
	b, err := Encode(prompts, rs)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vm.Values(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ins {
		pos := i*b.T + replyStart(prompts[i]) + len(rs[i]) - 1
		if math.Abs(v[pos]-r[i]) > 1e-9 {
			t.Errorf("conversation %d: value %.12g at its last token, reward %.12g", i, v[pos], r[i])
		}
	}
}

// ValueLoss's gradient with respect to the values against central
// differences, on values inside, at and outside the clip range.
func TestValueLossGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 40
	v, vOld, ret, y := make([]float64, n), make([]float64, n), make([]float64, n), make([]int, n)
	for i := range n {
		vOld[i], ret[i] = rng.NormFloat64(), rng.NormFloat64()
		v[i] = vOld[i] + 0.5*rng.NormFloat64()
		y[i] = i % 5 // every fifth position unscored
		if i%5 == 0 {
			y[i] = -1
		}
	}
	const c = 0.2
	_, dv, frac := ValueLoss(v, vOld, ret, y, c)
	if frac == 0 || frac == 1 {
		t.Fatalf("clip fraction %g: the check should see both clipped and unclipped values", frac)
	}
	const h = 1e-6
	for i := range n {
		old := v[i]
		v[i] = old + h
		up, _, _ := ValueLoss(v, vOld, ret, y, c)
		v[i] = old - h
		down, _, _ := ValueLoss(v, vOld, ret, y, c)
		v[i] = old
		if num := (up - down) / (2 * h); math.Abs(num-dv[i]) > 1e-7 {
			t.Errorf("value %d: analytic %.9g, finite difference %.9g", i, dv[i], num)
		}
	}
}

// ValueLoss against the plain formula: with a clip too wide to act it is
// half the mean squared error over the scored positions.
func TestValueLossUnclippedIsHalfMSE(t *testing.T) {
	v, vOld, ret := []float64{1, 2, 3, 4}, []float64{0.5, 2, 2, 9}, []float64{0, 1, 5, 4}
	y := []int{7, -1, 7, 7}
	got, _, frac := ValueLoss(v, vOld, ret, y, 100)
	want := (1.0 + 4 + 0) / 2 / 3
	if math.Abs(got-want) > 1e-12 || frac != 0 {
		t.Errorf("loss %g (clip fraction %g), want %g (0)", got, frac, want)
	}
}

// The value model's gradient, transformer and head, against central
// differences of the clipped value loss, with old values that put some
// positions inside the clip range and some outside.
func TestValueGradient(t *testing.T) {
	vm := tinyValueModel(t, 13)
	perturb(vm.Model, 5)
	b, _, _ := sampledBatch(t, vm.Model, 4, 8)
	v, err := vm.Values(b)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(6, 6))
	vOld, ret := make([]float64, len(v)), make([]float64, len(v))
	for i := range v {
		vOld[i] = v[i] + 0.3*rng.NormFloat64()
		ret[i] = v[i] + rng.NormFloat64()
	}
	const c = 0.2
	loss := func() float64 {
		v, _ := vm.Values(b)
		l, _, _ := ValueLoss(v, vOld, ret, b.Y, c)
		return l
	}
	var frac float64
	gradCheck(t, vm.Model, loss, func() {
		if _, frac, err = vm.Grad(b, vOld, ret, c); err != nil {
			t.Fatal(err)
		}
	})
	if frac == 0 || frac == 1 {
		t.Errorf("clip fraction %g: the check should see both clipped and unclipped values", frac)
	}
	const h = 1e-6
	check := func(name string, x *float64, g float64) {
		old := *x
		*x = old + h
		up := loss()
		*x = old - h
		down := loss()
		*x = old
		if num := (up - down) / (2 * h); math.Abs(num-g) > 1e-6+1e-4*math.Abs(num) {
			t.Errorf("%s: analytic %.9g, finite difference %.9g", name, g, num)
		}
	}
	for j := range vm.W {
		check("head w", &vm.W[j], vm.GradW[j])
	}
	check("head b", &vm.B, vm.GradB)
}

// Explained variance against its definition's two anchors and a plain
// computation: 1 for exact values, 0 for the mean return, and
// 1 − Var(R−V)/Var(R) in general.
func TestExplainedVariance(t *testing.T) {
	ret := []float64{1, 3, -2, 5, 0}
	y := []int{1, 1, 1, 1, -1} // the last position is not scored
	mean := (1 + 3 - 2 + 5) / 4.0
	cases := []struct {
		name string
		v    []float64
		want float64
	}{
		{"exact", []float64{1, 3, -2, 5, 99}, 1},
		{"mean", []float64{mean, mean, mean, mean, -7}, 0},
		{"shifted", []float64{2, 4, -1, 6, 0}, 1}, // a constant error has no variance
		{"zero", []float64{0, 0, 0, 0, 0}, 0},
	}
	for _, c := range cases {
		if got := ExplainedVariance(c.v, ret, y); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: %g, want %g", c.name, got, c.want)
		}
	}
	// zero values: R − V = R, so the ratio is 1 and the figure 0 — and a
	// value of the wrong sign is worse than none.
	if got := ExplainedVariance([]float64{-1, -3, 2, -5, 0}, ret, y); got >= 0 {
		t.Errorf("negated values: explained variance %g, want negative", got)
	}
}
