package align

import (
	"math"
	"math/rand/v2"
	"testing"
)

// PPO's clipped surrogate against central differences, with old
// log-probabilities from a different model so some ratios are clipped and
// some are not.
func TestPPOGradient(t *testing.T) {
	old := tinyModel(t, 9)
	m, _ := Clone(old)
	perturb(m, 3)
	b, _, _ := sampledBatch(t, old, 4, 5)
	oldLogp, err := logProbs(old, b)
	if err != nil {
		t.Fatal(err)
	}
	adv := rowWeights(b, []float64{1, -0.5, 0.8, -1.2}) // one advantage per reply, on each of its tokens
	const eps = 0.2
	var frac float64
	loss := func() float64 {
		l, _, _, _ := ppoSurrogate(m, b, oldLogp, adv, eps)
		return l
	}
	gradCheck(t, m, loss, func() {
		var err error
		if _, frac, err = PPOGrad(m, b, oldLogp, adv, eps); err != nil {
			t.Fatal(err)
		}
	})
	if frac == 0 || frac == 1 {
		t.Errorf("clip fraction %g: the check should see both clipped and unclipped tokens", frac)
	}
}

// GAE's one-pass recursion against the definition's sum, over discounts
// and trace decays, on replies of several lengths.
func TestGAEMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct{ gamma, lambda float64 }{{1, 1}, {1, 0.95}, {0.9, 0.5}, {0.99, 1e-9}, {0.5, 1}} {
		for _, n := range []int{1, 2, 7, 14} {
			r, v := make([]float64, n), make([]float64, n)
			for i := range n {
				r[i], v[i] = rng.NormFloat64(), rng.NormFloat64()
			}
			adv, ret := GAE(r, v, c.gamma, c.lambda)
			want := gaeReference(r, v, c.gamma, c.lambda)
			for i := range n {
				if math.Abs(adv[i]-want[i]) > 1e-12 {
					t.Errorf("γ %g λ %g n %d: A[%d] = %.15g, definition %.15g", c.gamma, c.lambda, n, i, adv[i], want[i])
				}
				if math.Abs(ret[i]-(adv[i]+v[i])) > 1e-12 {
					t.Errorf("γ %g λ %g n %d: R[%d] = %g, want A+V = %g", c.gamma, c.lambda, n, i, ret[i], adv[i]+v[i])
				}
			}
		}
	}
}

// With γ = λ = 1 the return is the sum of the rewards still to come,
// whatever the values: the Monte Carlo return.
func TestGAEMonteCarlo(t *testing.T) {
	r := []float64{0.1, -0.2, 0.05, 1.5}
	v := []float64{3, -1, 0.4, 2}
	_, ret := GAE(r, v, 1, 1)
	togo := 0.0
	for i := len(r) - 1; i >= 0; i-- {
		togo += r[i]
		if math.Abs(ret[i]-togo) > 1e-12 {
			t.Errorf("R[%d] = %g, want the rewards to go %g", i, ret[i], togo)
		}
	}
}

// With ratio 1 (the policy is π_old) and a clip too wide to act, PPO's
// gradient is the policy-gradient one: per-token advantages aᵢ·n/N on row
// i's tokens give −(1/n)Σₜ Aₜ∇log πₜ = −(1/N)Σᵢ aᵢ∇log π(yᵢ).
func TestPPOAtRatioOneIsPolicyGradient(t *testing.T) {
	m := tinyModel(t, 10)
	perturb(m, 4)
	b, _, _ := sampledBatch(t, m, 5, 3)
	old, err := logProbs(m, b)
	if err != nil {
		t.Fatal(err)
	}
	a := []float64{0.9, -1.1, 0.3, -0.4, 1.7}
	n := 0
	for _, y := range b.Y {
		if y >= 0 {
			n++
		}
	}
	perRow := make([]float64, len(a))
	for i := range a {
		perRow[i] = a[i] * float64(n) / float64(len(a))
	}
	grads := func(fill func()) [][]float64 {
		m.ZeroGrad()
		fill()
		var g [][]float64
		for _, p := range m.Params() {
			g = append(g, append([]float64(nil), p.Grad.RawMatrix().Data...))
		}
		return g
	}
	var clip float64
	ppo := grads(func() {
		if _, clip, err = PPOGrad(m, b, old, rowWeights(b, perRow), 0.2); err != nil {
			t.Fatal(err)
		}
	})
	pg := grads(func() {
		if _, err := PolicyGrad(m, b, a); err != nil {
			t.Fatal(err)
		}
	})
	if clip != 0 {
		t.Errorf("clip fraction %g at ratio 1, want 0", clip)
	}
	for k, p := range m.Params() {
		for j := range ppo[k] {
			if d := math.Abs(ppo[k][j] - pg[k][j]); d > 1e-12+1e-9*math.Abs(pg[k][j]) {
				t.Fatalf("%s[%d]: PPO gradient %.12g, policy gradient %.12g", p.Name, j, ppo[k][j], pg[k][j])
			}
		}
	}
}

// regather moves each reply's per-token values to its row in a minibatch
// of some of the rows, and the values it moves are the same tokens' (the
// log-probabilities a model gives them in either layout agree).
func TestRegather(t *testing.T) {
	m := tinyModel(t, 11)
	b, prompts, replies := sampledBatch(t, m, 6, 5)
	full, err := logProbs(m, b)
	if err != nil {
		t.Fatal(err)
	}
	rows := []int{4, 1, 3}
	var ps, rs [][]int
	for _, r := range rows {
		ps, rs = append(ps, prompts[r]), append(rs, replies[r])
	}
	mb, err := Encode(ps, rs)
	if err != nil {
		t.Fatal(err)
	}
	want, err := logProbs(m, mb)
	if err != nil {
		t.Fatal(err)
	}
	got := regather(full, b, mb, rows, prompts)
	for i, y := range mb.Y {
		if y < 0 && got[i] != 0 {
			t.Errorf("position %d scores nothing but holds %g", i, got[i])
		}
		if y >= 0 && math.Abs(got[i]-want[i]) > 1e-9 {
			t.Errorf("position %d: regathered %.12g, computed in the minibatch %.12g", i, got[i], want[i])
		}
	}
}

// advantages against a plain per-row loop: per-token rewards are −β·kl at
// every token plus the score at the last; each row's total is score − β·KL;
// the advantages come out normalised.
func TestAdvantages(t *testing.T) {
	m := tinyModel(t, 14)
	ref := tinyModel(t, 15)
	b, prompts, _ := sampledBatch(t, m, 4, 6)
	lp, _ := logProbs(m, b)
	lr, _ := logProbs(ref, b)
	rng := rand.New(rand.NewPCG(7, 7))
	vals := make([]float64, len(b.Y))
	for i := range vals {
		vals[i] = rng.NormFloat64()
	}
	score := []float64{1, -0.5, 0.25, 2}
	p := RLPlan{KLCoef: 0.3, Gamma: 1, Lambda: 0.9}
	adv, ret, total, kl := advantages(b, prompts, score, lp, lr, vals, p)
	var raw []float64
	for r := range b.B {
		s, L := r*b.T+replyStart(prompts[r]), b.ReplyLen[r]
		rew := make([]float64, L)
		wantKL := 0.0
		for k := range L {
			wantKL += lp[s+k] - lr[s+k]
			rew[k] = -p.KLCoef * (lp[s+k] - lr[s+k])
		}
		rew[L-1] += score[r]
		if math.Abs(kl[r]-wantKL) > 1e-12 || math.Abs(total[r]-(score[r]-p.KLCoef*wantKL)) > 1e-12 {
			t.Errorf("row %d: kl %g total %g, want %g and %g", r, kl[r], total[r], wantKL, score[r]-p.KLCoef*wantKL)
		}
		a := gaeReference(rew, vals[s:s+L], p.Gamma, p.Lambda)
		for k := range L {
			if math.Abs(ret[s+k]-(a[k]+vals[s+k])) > 1e-12 {
				t.Errorf("row %d token %d: return %g, want %g", r, k, ret[s+k], a[k]+vals[s+k])
			}
		}
		raw = append(raw, a...)
	}
	var mean, sd float64
	for _, x := range raw {
		mean += x / float64(len(raw))
	}
	for _, x := range raw {
		sd += (x - mean) * (x - mean) / float64(len(raw))
	}
	sd = math.Sqrt(sd)
	j := 0
	for i, y := range b.Y {
		if y < 0 {
			if adv[i] != 0 {
				t.Errorf("unscored position %d has advantage %g", i, adv[i])
			}
			continue
		}
		if want := (raw[j] - mean) / sd; math.Abs(adv[i]-want) > 1e-6 {
			t.Errorf("position %d: advantage %g, want %g", i, adv[i], want)
		}
		j++
	}
}
