package sample

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// FuzzDraw feeds arbitrary logits (8 bytes each) and options. Draw must not
// panic, must reject exactly what Check rejects, and otherwise return a
// distribution that sums to 1, candidates in ranking order, and a chosen
// token that survived the cuts; and Greedy must agree with Draw at
// temperature 0.
func FuzzDraw(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40}, 1.0, 0, 1.0, 2)
	f.Add(make([]byte, 80), 0.0, 3, 0.5, 10)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0}, 1e-300, 1, 1e-9, 1)
	f.Fuzz(func(t *testing.T, raw []byte, temperature float64, topK int, topP float64, top int) {
		logits := make([]float64, len(raw)/8)
		for i := range logits {
			logits[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		o := Options{Temperature: temperature, TopK: topK, TopP: topP}
		top = top % 1000
		rng := rand.New(rand.NewPCG(1, 2))
		step, err := Draw(logits, o, rng, top)
		if (err != nil) != (Check(logits, o, rng) != nil) {
			t.Fatalf("Draw error %v disagrees with Check", err)
		}
		// Greedy refuses the logits Check refuses and otherwise takes Draw's
		// greedy token, with no softmax.
		id, gerr := Greedy(logits)
		if cerr := Check(logits, Options{TopP: 1}, nil); (gerr != nil) != (cerr != nil) {
			t.Fatalf("Greedy error %v disagrees with Check's %v", gerr, cerr)
		}
		if gerr == nil {
			if g, err := Draw(logits, Options{TopP: 1}, nil, 1); err != nil || g.Chosen.ID != id {
				t.Fatalf("Greedy chose %d, Draw at temperature 0 %+v (%v)", id, g.Chosen, err)
			}
		}
		if err != nil {
			return
		}
		chosen := step.Chosen.ID
		if chosen < 0 || chosen >= len(logits) {
			t.Fatalf("chose %d of %d", chosen, len(logits))
		}
		var total float64
		for _, p := range step.Probs {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("probability %v", p)
			}
			total += p
		}
		if math.Abs(total-1) > 1e-9 {
			t.Fatalf("probabilities sum to %v", total)
		}
		if step.Kept < 1 || step.Kept > len(logits) || step.Probs[chosen] == 0 {
			t.Fatalf("kept %d, chose %d with probability %v", step.Kept, chosen, step.Probs[chosen])
		}
		if !(step.KeptMass > 0 && step.KeptMass <= total*(1+1e-9)) || step.Chosen.Prob != step.Probs[chosen]/step.KeptMass {
			t.Fatalf("kept mass %v; chose %+v, whose final probability is %v", step.KeptMass, step.Chosen, step.Probs[chosen]/step.KeptMass)
		}
		if r := rank(logits, chosen); r > step.Kept {
			t.Fatalf("chose token ranked %d but only %d were kept", r, step.Kept)
		}
		for i := 1; i < len(step.Top); i++ {
			if below(logits, step.Top[i-1].ID, step.Top[i].ID) {
				t.Fatalf("candidates out of order at %d", i)
			}
		}
	})
}
