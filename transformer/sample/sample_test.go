package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		o      Options
		option string // the field named; "" = valid
		want   string
	}{
		{Default, "", ""},
		{Options{Temperature: 0, TopP: 1}, "", ""},
		{Options{Temperature: 0.7, TopK: 40, TopP: 0.9}, "", ""},
		{Options{Temperature: 1, TopP: 1e-9}, "", ""},
		{Options{Temperature: 1, TopP: 0}, "TopP", "sample: TopP 0 is out of range: it must be in (0, 1]"},
		{Options{}, "TopP", "sample: TopP 0 is out of range: it must be in (0, 1]"},
		{Options{Temperature: 1, TopP: 1.5}, "TopP", "sample: TopP 1.5 is out of range: it must be in (0, 1]"},
		{Options{Temperature: 1, TopP: math.NaN()}, "TopP", "sample: TopP NaN is out of range: it must be in (0, 1]"},
		{Options{Temperature: -1, TopP: 1}, "Temperature", "sample: Temperature -1 is out of range: it must be >= 0 (0 is greedy)"},
		{Options{Temperature: math.NaN(), TopP: 1}, "Temperature", "sample: Temperature NaN is out of range: it must be >= 0 (0 is greedy)"},
		{Options{Temperature: math.Inf(1), TopP: 1}, "Temperature", "sample: Temperature +Inf is out of range: it must be finite"},
		{Options{Temperature: 1, TopK: -3, TopP: 1}, "TopK", "sample: TopK -3 is out of range: it must be >= 0 (0 keeps every token)"},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%+v.Validate() = %q, want %q", tt.o, got, tt.want)
		}
		// A caller finds the field by its Go name, to name its own flag.
		var oe *OptionError
		if errors.As(err, &oe) != (tt.option != "") || (oe != nil && oe.Option != tt.option) {
			t.Errorf("%+v.Validate() = %#v, want an *OptionError for %q", tt.o, err, tt.option)
		}
		if oe != nil && !strings.Contains(got, fmt.Sprint(oe.Value)) {
			t.Errorf("%+v.Validate(): Value %v is not the value in %q", tt.o, oe.Value, got)
		}
	}
}

func TestCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		logits []float64
		o      Options
		rng    *rand.Rand
		want   string
	}{
		{[]float64{1, math.NaN(), 2}, Default, rng, "logit of token 1 is NaN"},
		{[]float64{math.Inf(1)}, Default, rng, "logit of token 0 is +Inf"},
		{[]float64{0, math.Inf(-1)}, Default, rng, "logit of token 1 is -Inf"},
		{nil, Default, rng, "no logits"},
		{[]float64{1}, Options{Temperature: -1, TopP: 1}, rng, "Temperature -1 is out of range"},
		{[]float64{1, 2}, Default, nil, "needs a random source"},
	}
	for _, tt := range tests {
		err := Check(tt.logits, tt.o, tt.rng)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Check(%v, %+v) = %v, want %q", tt.logits, tt.o, err, tt.want)
		}
		if _, err := Draw(tt.logits, tt.o, tt.rng, 3); err == nil || err.Error() != Check(tt.logits, tt.o, tt.rng).Error() {
			t.Errorf("Draw(%v, %+v) = %v, want Check's error", tt.logits, tt.o, err)
		}
	}
	// Greedy needs no random source.
	if step, err := Draw([]float64{0, 3, 1}, Options{TopP: 1}, nil, 0); err != nil || step.Chosen.ID != 1 {
		t.Errorf("greedy with nil rng = %v, %v", step.Chosen, err)
	}
}

// draw is Draw for arguments that must be valid.
func draw(t testing.TB, logits []float64, o Options, rng *rand.Rand, top int) Step {
	t.Helper()
	step, err := Draw(logits, o, rng, top)
	if err != nil {
		t.Fatal(err)
	}
	return step
}

// randomLogits returns V logits at a random scale, with some repeated
// values so ties (broken by the lower ID) are exercised.
func randomLogits(rng *rand.Rand, V int) []float64 {
	scale := []float64{0.01, 1, 5, 40}[rng.IntN(4)]
	logits := make([]float64, V)
	for i := range logits {
		if i > 0 && rng.IntN(6) == 0 {
			logits[i] = logits[rng.IntN(i)]
		} else {
			logits[i] = scale * rng.NormFloat64()
		}
	}
	return logits
}

func randomOptions(rng *rand.Rand, V int) Options {
	return Options{
		Temperature: []float64{0, 0.3, 1, 2.5}[rng.IntN(4)],
		TopK:        []int{0, 0, 1, 2, 5, V, V + 3}[rng.IntN(7)],
		TopP:        []float64{1, 1, 0.95, 0.5, 0.1, 1e-9}[rng.IntN(6)],
	}
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestAgainstReference compares Draw with the plain reference on many random
// logits and options: distribution, entropy, which tokens survive, their
// final probabilities, the candidates shown and the token chosen from the
// same uniform draw.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	sizes := []int{1, 2, 3, 10, 57, 300, 2000}
	checked := 0
	for trial := range 3000 {
		V := sizes[trial%len(sizes)]
		logits := randomLogits(rng, V)
		o := randomOptions(rng, V)
		top := []int{0, 3, V, V + 5}[rng.IntN(4)]
		seed := rng.Uint64()
		u := rand.New(rand.NewPCG(seed, 0)).Float64() // the one draw Draw makes
		ref := referenceDraw(logits, o, u)
		if ref.margin < 1e-9 { // top-p threshold within rounding: either answer is right
			continue
		}
		checked++
		got, err := Draw(logits, o, rand.New(rand.NewPCG(seed, 0)), top)
		if err != nil {
			t.Fatal(err)
		}
		where := fmt.Sprintf("trial %d, V=%d, %+v", trial, V, o)
		for id := range logits {
			if !near(got.Probs[id], ref.probs[id], 1e-9) {
				t.Fatalf("%s: prob[%d] = %v, reference %v", where, id, got.Probs[id], ref.probs[id])
			}
		}
		if !near(got.Entropy, ref.entropy, 1e-9) {
			t.Fatalf("%s: entropy %v, reference %v", where, got.Entropy, ref.entropy)
		}
		kept := 0
		for _, k := range ref.kept {
			if k {
				kept++
			}
		}
		if got.Kept != kept {
			t.Fatalf("%s: kept %d, reference %d", where, got.Kept, kept)
		}
		if got.Chosen.ID != ref.chosen || !near(got.Chosen.Prob, ref.final[ref.chosen], 1e-9) {
			t.Fatalf("%s: chose %+v, reference %d with final %v (u=%v)", where, got.Chosen, ref.chosen, ref.final[ref.chosen], u)
		}
		if !near(got.KeptMass, ref.mass, 1e-9) {
			t.Fatalf("%s: kept mass %v, reference %v", where, got.KeptMass, ref.mass)
		}
		if len(got.Top) != min(top, V) {
			t.Fatalf("%s: %d candidates, want %d", where, len(got.Top), min(top, V))
		}
		for r, c := range got.Top {
			id := ref.order[r]
			if c.ID != id || c.Kept != ref.kept[id] || !near(c.Final, ref.final[id], 1e-9) || c.Prob != got.Probs[id] || c.Logit != logits[id] {
				t.Fatalf("%s: candidate %d = %+v, reference id %d kept %v final %v", where, r, c, id, ref.kept[id], ref.final[id])
			}
			if c.Reason != ref.reason[id] {
				t.Fatalf("%s: candidate %+v, reference reason %q", where, c, ref.reason[id])
			}
			if c.Kept && c.Final != got.Probs[id]/got.KeptMass {
				t.Fatalf("%s: candidate %+v: Final is not Prob / KeptMass (%v)", where, c, got.KeptMass)
			}
		}
		wantReason := ReasonSampled
		if o.Temperature == 0 {
			wantReason = ReasonGreedy
		}
		if got.Chosen.Reason != wantReason {
			t.Fatalf("%s: chosen because %q, want %q", where, got.Chosen.Reason, wantReason)
		}
	}
	if checked < 2500 {
		t.Fatalf("only %d of 3000 trials were away from a top-p boundary", checked)
	}
}

// TestCutReasons: with top-k 3 and top-p 0.5 on a known distribution, the
// candidates show which cut removed them.
func TestCutReasons(t *testing.T) {
	// probabilities 0.4, 0.3, 0.2, 0.1 (logits are their logs)
	logits := []float64{math.Log(0.1), math.Log(0.4), math.Log(0.2), math.Log(0.3)}
	step, err := Draw(logits, Options{Temperature: 1, TopK: 3, TopP: 0.5}, rand.New(rand.NewPCG(1, 1)), 4)
	if err != nil {
		t.Fatal(err)
	}
	// top-k 3 keeps 0.4, 0.3, 0.2 (mass 0.9); top-p then needs 0.45 of it:
	// 0.4 alone is 0.444 of 0.9, so 0.3 is needed too (0.778 >= 0.5).
	want := []struct {
		id     int
		final  float64
		reason Reason
	}{{1, 4.0 / 7, "kept"}, {3, 3.0 / 7, "kept"}, {2, 0, "cut by top-p"}, {0, 0, "cut by top-k"}}
	for i, w := range want {
		c := step.Top[i]
		if c.ID != w.id || !near(c.Final, w.final, 1e-12) || c.Reason != w.reason {
			t.Errorf("candidate %d = %+v, want id %d final %v reason %q", i, c, w.id, w.final, w.reason)
		}
	}
	if step.Kept != 2 || !near(step.KeptMass, 0.7, 1e-12) {
		t.Errorf("kept %d holding %v, want 2 holding 0.4+0.3", step.Kept, step.KeptMass)
	}
	// The chosen token's probability is its Final, whichever was drawn.
	if c := step.Top[0]; step.Chosen.ID == c.ID && step.Chosen.Prob != c.Final || step.Chosen.ID != c.ID && step.Chosen.Prob != step.Top[1].Final {
		t.Errorf("chose %+v; the candidates' finals are %v and %v", step.Chosen, c.Final, step.Top[1].Final)
	}

	// Greedy names every token but the most likely "below the top", before
	// any top-k or top-p cut.
	step, err = Draw(logits, Options{Temperature: 0, TopK: 2, TopP: 0.5}, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range step.Top {
		if want := map[bool]Reason{true: ReasonKept, false: ReasonBelowTop}[i == 0]; c.Reason != want {
			t.Errorf("greedy candidate %d: %+v, want reason %q", i, c, want)
		}
	}
	if step.Chosen != (Choice{ID: 1, Reason: ReasonGreedy, Prob: 1}) {
		t.Errorf("greedy chose %+v", step.Chosen)
	}
}

// TestFrequencies draws 100,000 tokens and checks, with a chi-square test,
// that the frequencies match the Final probabilities, and that no cut token
// is ever drawn.
func TestFrequencies(t *testing.T) {
	logits := []float64{2, 1.5, 1, 0.5, 0, -0.5, -1, -3}
	for _, o := range []Options{
		{Temperature: 1, TopP: 1},
		{Temperature: 0.7, TopK: 5, TopP: 1},
		{Temperature: 1.3, TopP: 0.8},
		{Temperature: 2, TopK: 6, TopP: 0.9},
	} {
		rng := rand.New(rand.NewPCG(42, 1))
		const N = 100_000
		counts := make([]int, len(logits))
		var step Step
		for range N {
			step = draw(t, logits, o, rng, len(logits))
			counts[step.Chosen.ID]++
		}
		var chi2 float64
		for _, c := range step.Top {
			if !c.Kept {
				if counts[c.ID] != 0 {
					t.Errorf("%+v: cut token %d drawn %d times", o, c.ID, counts[c.ID])
				}
				continue
			}
			expected := c.Final * N
			d := float64(counts[c.ID]) - expected
			chi2 += d * d / expected
		}
		// Reject at the 1e-6 level: a correct sampler fails this once in a
		// million seeds; a sampler off by 1% on one token fails it surely.
		limit := distuv.ChiSquared{K: float64(step.Kept - 1)}.Quantile(1 - 1e-6)
		if step.Kept > 1 && chi2 > limit {
			t.Errorf("%+v: chi-square %.1f over %.1f (df %d); counts %v", o, chi2, limit, step.Kept-1, counts)
		}
	}
}

// TestGreedy: temperature 0 and top-k 1 both take the argmax, found here by
// a plain loop.
func TestGreedy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for range 500 {
		logits := randomLogits(rng, 1+rng.IntN(100))
		argmax := 0
		for i, l := range logits {
			if l > logits[argmax] {
				argmax = i
			}
		}
		greedy := draw(t, logits, Options{TopP: 1}, nil, 2)
		topK1 := draw(t, logits, Options{Temperature: 1, TopK: 1, TopP: 1}, rng, 2)
		if greedy.Chosen.ID != argmax || topK1.Chosen.ID != argmax {
			t.Fatalf("argmax %d; greedy chose %d, top-k 1 chose %d", argmax, greedy.Chosen.ID, topK1.Chosen.ID)
		}
		if greedy.Chosen.Reason != ReasonGreedy || greedy.Chosen.Prob != 1 || greedy.Kept != 1 || greedy.Top[0].Final != 1 {
			t.Fatalf("greedy step %+v", greedy)
		}
	}
}

// TestTemperatureLimit: as the temperature goes to 0 the distribution
// approaches greedy's one-hot on the argmax.
func TestTemperatureLimit(t *testing.T) {
	logits := []float64{0.3, 1.2, 1.1, -2, 0.9}
	prev := 0.0
	for _, T := range []float64{2, 1, 0.5, 0.1, 0.01, 0.001} {
		step := draw(t, logits, Options{Temperature: T, TopP: 1}, rand.New(rand.NewPCG(1, 1)), 0)
		if p := step.Probs[1]; p <= prev {
			t.Errorf("T=%v: P(argmax) = %v, not above %v at the higher temperature", T, p, prev)
		}
		prev = step.Probs[1]
	}
	if prev < 1-1e-40 {
		t.Errorf("T=0.001: P(argmax) = %v, want about 1", prev)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for range 1000 {
		if c := draw(t, logits, Options{Temperature: 0.001, TopP: 1}, rng, 0).Chosen.ID; c != 1 {
			t.Fatalf("T=0.001 chose %d, greedy chooses 1", c)
		}
	}
}

// TestSameSeed: the same seed gives the same tokens; the number of
// candidates asked for does not change the choice; another seed differs.
func TestSameSeed(t *testing.T) {
	logits := randomLogits(rand.New(rand.NewPCG(9, 9)), 50)
	o := Options{Temperature: 1.5, TopK: 30, TopP: 0.95}
	run := func(seed uint64, top int) []int {
		rng := rand.New(rand.NewPCG(seed, 0))
		var ids []int
		for range 200 {
			ids = append(ids, draw(t, logits, o, rng, top).Chosen.ID)
		}
		return ids
	}
	a, b, c, d := run(1, 5), run(1, 5), run(1, 0), run(2, 5)
	if fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) != fmt.Sprint(c) {
		t.Error("same seed gave different tokens")
	}
	if fmt.Sprint(a) == fmt.Sprint(d) {
		t.Error("different seeds gave the same 200 tokens")
	}
}

// TestExtremeLogits: logits far beyond exp's range give a valid distribution.
func TestExtremeLogits(t *testing.T) {
	logits := []float64{1e308, -1e308, 1e308, 0}
	step, err := Draw(logits, Options{Temperature: 1e-300, TopP: 1}, rand.New(rand.NewPCG(1, 1)), 4)
	if err != nil {
		t.Fatal(err)
	}
	if step.Probs[0] != 0.5 || step.Probs[2] != 0.5 || step.Probs[1] != 0 || step.Probs[3] != 0 {
		t.Errorf("probs %v, want [0.5 0 0.5 0]", step.Probs)
	}
	if step.Chosen.ID != 0 && step.Chosen.ID != 2 {
		t.Errorf("chose %d", step.Chosen.ID)
	}
	if math.Abs(step.Entropy-1) > 1e-12 {
		t.Errorf("entropy %v bits, want 1", step.Entropy)
	}
}
