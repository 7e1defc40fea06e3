package align

import (
	"math/rand/v2"
	"testing"
)

// The policy-gradient surrogate's gradient against central differences,
// on fixed sampled replies and advantages.
func TestPolicyGradient(t *testing.T) {
	m := tinyModel(t, 8)
	perturb(m, 2)
	rng := rand.New(rand.NewPCG(3, 4))
	var prompts, replies [][]int
	for _, in := range Instructions()[:4] {
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
	adv := []float64{0.7, -0.2, -0.9, 0.4}
	loss := func() float64 {
		lp, _ := SeqLogProbs(m, b)
		l := 0.0
		for i := range lp {
			l -= adv[i] * lp[i] / float64(len(lp))
		}
		return l
	}
	gradCheck(t, m, loss, func() {
		if _, err := PolicyGrad(m, b, adv); err != nil {
			t.Fatal(err)
		}
	})
}
