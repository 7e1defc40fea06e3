package sample

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/tick-llm/tick/transformer/internal/fastexp"
)

// Reason says why a candidate was kept or cut, or how the chosen token was
// chosen. Its spellings appear in generate's JSON steps: keep them stable.
type Reason string

// Why a candidate was kept or cut. When several cuts remove a token, the
// first that applies in this list names it.
const (
	ReasonKept     Reason = "kept"          // survived every cut: it can be drawn
	ReasonBelowTop Reason = "below the top" // greedy decoding keeps only the most likely token
	ReasonTopK     Reason = "cut by top-k"  // ranked below the TopK most likely
	ReasonTopP     Reason = "cut by top-p"  // outside the fewest tokens holding TopP of the probability
)

// How the chosen token was chosen.
const (
	ReasonGreedy  Reason = "greedy"  // Temperature 0: the most likely token
	ReasonSampled Reason = "sampled" // drawn at random from the Final distribution
	ReasonPicked  Reason = "picked"  // chosen by the caller instead (Candidate.Pick); Draw never picks
)

// Candidate is one possible next token, as a learner would inspect it.
type Candidate struct {
	ID     int     `json:"id"`
	Logit  float64 `json:"logit"`
	Prob   float64 `json:"prob"`       // after temperature, before the cuts
	Final  float64 `json:"final_prob"` // the probability it is drawn with: Prob / Step.KeptMass if kept, 0 if cut
	Kept   bool    `json:"kept"`       // survived greedy / top-k / top-p
	Reason Reason  `json:"reason"`     // ReasonKept, or the cut that removed it
}

// Pick is the choice of c instead of the sampler's draw, as when a user
// stepping through generation overrules it. Its Prob is c's Final: 0 for a
// cut candidate, which the sampler could not have drawn.
func (c Candidate) Pick() Choice {
	return Choice{ID: c.ID, Reason: ReasonPicked, Prob: c.Final}
}

// Choice is the token taken.
type Choice struct {
	ID     int     `json:"id"`
	Reason Reason  `json:"reason"` // ReasonGreedy, ReasonSampled or ReasonPicked
	Prob   float64 `json:"prob"`   // the probability it was drawn with: its Final (1 when greedy)
}

// Step is the outcome of choosing one token.
type Step struct {
	Chosen   Choice      `json:"chosen"`          // the next token
	Entropy  float64     `json:"entropy"`         // bits, of Probs: 0 = certain, log2(V) = uniform
	Kept     int         `json:"kept"`            // how many tokens survived the cuts
	KeptMass float64     `json:"kept_mass"`       // their total Prob; each kept token's Final is Prob / KeptMass
	Probs    []float64   `json:"probs,omitempty"` // len V: softmax(logits / Temperature), or at Temperature 1 when greedy
	Top      []Candidate `json:"top"`             // the most likely tokens, most likely first
}

// Check reports why Draw cannot run on these arguments: invalid options,
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
			return fmt.Errorf("sample: logit of token %d is %v; the model's output is broken (its training diverged, or its weights were altered): use another checkpoint", id, l)
		}
	}
	if o.Temperature > 0 && rng == nil {
		return errors.New("sample: sampling needs a random source; pass rand.New(...) or use Temperature 0")
	}
	return nil
}

// Draw picks the next token from logits (one per vocabulary ID) and returns
// the distribution and the top most likely candidates. rng (math/rand/v2,
// seeded by the caller) is used only when sampling, one Float64 per call,
// so a seed fixes the whole sequence of choices.
//
// With Temperature 0 the choice is greedy, and Probs, Entropy and each
// Candidate's Prob describe the model's own distribution (temperature 1): the
// limit as temperature goes to 0 is all probability on the top token, which
// would show the learner nothing about how sure the model was.
//
// Draw never panics: invalid options, empty or non-finite logits, or a nil
// rng when sampling are the error Check returns.
func Draw(logits []float64, o Options, rng *rand.Rand, top int) (Step, error) {
	if err := Check(logits, o, rng); err != nil {
		return Step{}, err
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
	mass := 0.0 // total probability of the kept tokens
	if last < 0 {
		mass = sum(probs)
	} else {
		for _, id := range ranked[:kept] {
			mass += probs[id]
		}
	}
	step.KeptMass = mass

	if greedy {
		id := ranked[0]
		step.Chosen = Choice{ID: id, Reason: ReasonGreedy, Prob: probs[id] / mass} // mass is probs[id]: 1
	} else {
		id := inverseCDF(probs, isKept, rng.Float64()*mass)
		step.Chosen = Choice{ID: id, Reason: ReasonSampled, Prob: probs[id] / mass}
	}

	step.Top = make([]Candidate, top)
	for r, id := range ranked[:top] {
		c := Candidate{ID: id, Logit: logits[id], Prob: probs[id]}
		switch {
		case r < kept:
			c.Kept, c.Final, c.Reason = true, probs[id]/mass, ReasonKept
		case greedy:
			c.Reason = ReasonBelowTop
		case o.TopK > 0 && r >= o.TopK:
			c.Reason = ReasonTopK
		default:
			c.Reason = ReasonTopP
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
//
// A large vocabulary is cut into chunks of softmaxChunk tokens, computed on
// up to GOMAXPROCS goroutines (softmaxOn).
func softmax(logits []float64, temperature float64) (probs []float64, entropy float64) {
	return softmaxOn(logits, temperature, runtime.GOMAXPROCS(0))
}

// softmaxChunk is how many tokens softmaxOn's pieces hold. The sums are
// added up chunk by chunk in chunk order whoever computed each chunk, so
// the result has the same bits on any number of goroutines.
const softmaxChunk = 4096

// softmaxOn is softmax on at most workers goroutines.
func softmaxOn(logits []float64, temperature float64, workers int) (probs []float64, entropy float64) {
	hi := logits[0]
	for _, l := range logits {
		hi = max(hi, l)
	}
	probs = make([]float64, len(logits))
	n := (len(logits) + softmaxChunk - 1) / softmaxChunk
	sums := make([]float64, 2*n) // chunk c's Σ eᶻ and Σ eᶻ·z, so that Σ p_i z_i = ez / S
	forChunks(n, workers, func(c int) {
		lo, end := c*softmaxChunk, min((c+1)*softmaxChunk, len(logits))
		var total, ez float64
		for i, l := range logits[lo:end] {
			// fastexp.Exp is math.Exp's arithmetic without its special cases
			// (within 4 ulp). Below −708, where it clamps, eᶻ < 3·10⁻³⁰⁸ is
			// taken as 0 (math.Exp gives a subnormal number or 0 there).
			if z := (l - hi) / temperature; z > -708 {
				e := fastexp.Exp(z)
				probs[lo+i] = e
				total += e
				ez += e * z
			}
		}
		sums[2*c], sums[2*c+1] = total, ez
	})
	var total, ez float64
	for c := range n {
		total += sums[2*c]
		ez += sums[2*c+1]
	}
	forChunks(n, workers, func(c int) {
		for i := c * softmaxChunk; i < min((c+1)*softmaxChunk, len(probs)); i++ {
			probs[i] /= total
		}
	})
	return probs, max(0, (math.Log(total)-ez/total)/math.Ln2)
}

// forChunks runs f(c) for every chunk c in [0, n), on min(workers, n)
// goroutines (the caller is one of them), each taking every workers-th
// chunk.
func forChunks(n, workers int, f func(c int)) {
	w := max(1, min(workers, n))
	var wg sync.WaitGroup
	for k := 1; k < w; k++ {
		wg.Go(func() {
			for c := k; c < n; c += w {
				f(c)
			}
		})
	}
	for c := 0; c < n; c += w {
		f(c)
	}
	wg.Wait()
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
