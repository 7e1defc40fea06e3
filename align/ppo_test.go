package align

import (
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
	rng := rand.New(rand.NewPCG(5, 6))
	var prompts, replies [][]int
	for _, in := range Instructions()[:4] {
		ids, _ := Reply(old, in.Prompt, rng)
		prompts, replies = append(prompts, PromptIDs(in.Prompt)), append(replies, ids)
	}
	b, err := Encode(prompts, replies)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Forward(b.X, b.Y, b.B, b.T); err != nil {
		t.Fatal(err)
	}
	oldLogp := make([]float64, len(b.Y))
	for i, l := range old.PositionLosses() {
		oldLogp[i] = -l
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
