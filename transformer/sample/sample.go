package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Candidate is one possible next token, as a learner would inspect it.
type Candidate struct {
	ID     int     `json:"id"`
	Logit  float64 `json:"logit"`
	Prob   float64 `json:"prob"`             // after temperature, before the cuts
	Kept   bool    `json:"kept"`             // survived greedy / top-k / top-p
	Final  float64 `json:"final"`            // the probability it was drawn with: Prob renormalised over the kept tokens, 0 if cut
	Reason string  `json:"reason,omitempty"` // why it was cut ("cut by top-k", "cut by top-p", ...); empty if kept
}

// Step is the outcome of choosing one token.
type Step struct {
	Chosen  int         `json:"chosen"`          // the next token's ID
	Reason  string      `json:"reason"`          // "greedy: most likely", "sampled (p=0.12)", "sampled (p=0.03, rank 7)"
	Entropy float64     `json:"entropy"`         // bits, of Probs: 0 = certain, log2(V) = uniform
	Kept    int         `json:"kept"`            // how many tokens survived the cuts
	Probs   []float64   `json:"probs,omitempty"` // len V: softmax(logits / Temperature), or at Temperature 1 when greedy
	Top     []Candidate `json:"top"`             // the most likely tokens, most likely first
}

// Next picks the next token from logits (one per vocabulary ID) and returns
// the distribution and the top most likely candidates. rng (math/rand/v2,
// seeded by the caller) is used only when sampling, one Float64 per call,
// so a seed fixes the whole sequence of choices.
//
// With Temperature 0 the choice is greedy, and Probs, Entropy and each
// Candidate's Prob describe the model's own distribution (temperature 1): the
// limit as temperature goes to 0 is all probability on the top token, which
// would show the learner nothing about how sure the model was.
//
// Next never panics: for invalid options, empty or non-finite logits, or a
// nil rng when sampling, it returns Step{Chosen: -1} with the error in
// Reason. Call Check first, or use Draw, to get that error as an error.
func Next(logits []float64, o Options, rng *rand.Rand, top int) Step {
	step, err := Draw(logits, o, rng, top)
	if err != nil {
		return Step{Chosen: -1, Reason: err.Error()}
	}
	return step
}

// Check reports why Next cannot run on these arguments: invalid options,
// no logits, a NaN or infinite logit (naming its ID), or no random source
// when sampling.
func Check(logits []float64, o Options, rng *rand.Rand) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if len(logits) == 0 {
		return errors.New("sample: no logits (vocabulary of size 0)")
	}
	for id, l := range logits {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return fmt.Errorf("sample: logit of token %d is %v; the model's output is broken (diverged training?)", id, l)
		}
	}
	if o.Temperature > 0 && rng == nil {
		return errors.New("sample: sampling needs a random source; pass rand.New(...) or use temperature 0")
	}
	return nil
}

// Draw is Next returning the problem as an error instead of in Step.Reason.
func Draw(logits []float64, o Options, rng *rand.Rand, top int) (Step, error) {
	if err := Check(logits, o, rng); err != nil {
		return Step{Chosen: -1}, err
	}
	greedy := o.Temperature == 0
	temperature := o.Temperature
	if greedy {
		temperature = 1
	}
	probs, entropy := softmax(logits, temperature)
	step := Step{Probs: probs, Entropy: entropy}

	// Every cut keeps a prefix of the ranking (most likely first), so the
	// survivors are the first `kept` tokens of it; ranked holds at least
	// that prefix, and at least `top` tokens to show.
	V := len(logits)
	top = min(max(top, 0), V)
	var ranked []int
	kept := V
	switch {
	case greedy:
		ranked = rankTop(logits, max(top, 1))
		kept = 1
	case o.TopK > 0 && o.TopK < V:
		ranked = rankTop(logits, max(top, o.TopK))
		kept = o.TopK
	default:
		ranked = rankTop(logits, top)
	}
	if !greedy && o.TopP < 1 {
		kept, ranked = cutTopP(logits, probs, o.TopP, kept, ranked, top)
	}
	step.Kept = kept

	// last is the least likely kept token; i is kept when it ranks no lower.
	// A kept set of all V tokens needs no ranking (last = -1).
	last := -1
	if kept < V {
		last = ranked[kept-1]
	}
	isKept := func(i int) bool { return last < 0 || !below(logits, i, last) }
	var mass float64 // total probability of the kept tokens
	if last < 0 {
		mass = sum(probs)
	} else {
		for _, id := range ranked[:kept] {
			mass += probs[id]
		}
	}

	if greedy {
		step.Chosen = ranked[0]
		step.Reason = "greedy: most likely"
	} else {
		step.Chosen = inverseCDF(probs, isKept, rng.Float64()*mass)
		p := probs[step.Chosen] / mass
		if r := rank(logits, step.Chosen); r > 1 {
			step.Reason = fmt.Sprintf("sampled (p=%.3g, rank %d)", p, r)
		} else {
			step.Reason = fmt.Sprintf("sampled (p=%.3g)", p)
		}
	}

	step.Top = make([]Candidate, top)
	for r, id := range ranked[:top] {
		c := Candidate{ID: id, Logit: logits[id], Prob: probs[id]}
		switch {
		case r < kept:
			c.Kept, c.Final = true, probs[id]/mass
		case greedy:
			c.Reason = "greedy takes only the most likely"
		case o.TopK > 0 && r >= o.TopK:
			c.Reason = "cut by top-k"
		default:
			c.Reason = "cut by top-p"
		}
		step.Top[r] = c
	}
	return step, nil
}

// softmax returns p = exp(l/T) / sum exp(l/T), computed as exp(z) with
// z = (l-max)/T so the largest term is exp(0) = 1 and nothing overflows,
// however large the logits. It also returns the entropy of p in bits,
// without a logarithm per token: log p_i = z_i - log S with S = sum exp(z),
// so H = -sum p_i log p_i = log S - sum p_i z_i.
func softmax(logits []float64, temperature float64) (probs []float64, entropy float64) {
	hi := logits[0]
	for _, l := range logits {
		hi = max(hi, l)
	}
	probs = make([]float64, len(logits))
	var total float64
	for i, l := range logits {
		probs[i] = math.Exp((l - hi) / temperature)
		total += probs[i]
	}
	var pz float64 // sum p_i z_i, over the tokens with p_i > 0 (z_i may be -Inf where p_i = 0)
	for i, l := range logits {
		probs[i] /= total
		if probs[i] > 0 {
			pz += probs[i] * (l - hi) / temperature
		}
	}
	return probs, max(0, (math.Log(total)-pz)/math.Ln2)
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// cutTopP keeps, among the first kept tokens of the ranking, the fewest
// whose probability reaches fraction p of theirs (their renormalised
// probabilities sum to >= p). It extends ranked as far as it needs, and
// returns the new kept count and ranking (still at least top long).
func cutTopP(logits, probs []float64, p float64, kept int, ranked []int, top int) (int, []int) {
	var mass float64
	if kept == len(logits) {
		mass = sum(probs)
	} else {
		for _, id := range ranked[:kept] {
			mass += probs[id]
		}
	}
	target := p * mass
	// Rank a growing prefix until it holds enough probability: usually a few
	// dozen tokens, so there is no need to sort all V of them.
	for n := 64; ; n *= 4 {
		n = min(n, kept)
		if len(ranked) < n {
			ranked = rankTop(logits, max(n, top))
		}
		var cum float64
		for i, id := range ranked[:n] {
			cum += probs[id]
			if cum >= target {
				return i + 1, ranked
			}
		}
		if n == kept { // rounding left the sum a hair short of target
			return kept, ranked
		}
	}
}

// inverseCDF returns the kept token at which the running total of probs,
// in ID order, first exceeds u (0 <= u < total kept probability).
func inverseCDF(probs []float64, isKept func(int) bool, u float64) int {
	var cum float64
	lastPositive := -1
	for id, p := range probs {
		if p == 0 || !isKept(id) {
			continue
		}
		cum += p
		if u < cum {
			return id
		}
		lastPositive = id
	}
	return lastPositive // u fell past the total by rounding: the last possible token
}
