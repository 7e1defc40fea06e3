// Package sample turns a model's next-token logits into the next token, and
// shows its work: the whole distribution, the most likely candidates, which of
// them survived top-k and top-p, the entropy, and why the chosen one was
// chosen. It knows nothing of tokenizers: tokens are IDs 0..len(logits)-1.
//
// The pipeline, in the order Hugging Face's generate applies it:
//
//	p        = softmax(logits / Temperature)         Temperature 0: greedy
//	top-k    keep the TopK most likely tokens          0: off
//	top-p    keep the fewest most likely tokens whose  1: off
//	         probability (renormalised after top-k) sums to >= TopP
//	Final    = p over the kept tokens, renormalised to sum to 1
//	Chosen   = inverse CDF of one uniform draw over Final, walking the kept
//	           tokens in ID order (a fixed order, so a seed fixes the token)
//
// "Most likely" always breaks ties by the lower ID, so every result is a pure
// function of the logits, the options and the random source.
package sample

import (
	"errors"
	"fmt"
	"math"
)

// Options chooses how the next token is picked. The zero value is not valid
// (TopP 0 would keep nothing); start from Default.
type Options struct {
	Temperature float64 `json:"temperature"` // 0 = greedy; 1 = the model's own distribution; >1 flatter
	TopK        int     `json:"top_k"`       // keep only the K most likely tokens; 0 = off
	TopP        float64 `json:"top_p"`       // keep the most likely tokens up to this much probability, in (0, 1]; 1 = off
}

// Default samples from the model's own distribution with no cuts.
var Default = Options{Temperature: 1, TopK: 0, TopP: 1}

// Validate reports, in one line naming the flag, why o cannot be used.
func (o Options) Validate() error {
	switch {
	case !(o.Temperature >= 0): // also catches NaN
		return fmt.Errorf("--temperature must be >= 0; got %g", o.Temperature)
	case math.IsInf(o.Temperature, 0):
		return errors.New("--temperature must be finite; got +Inf")
	case o.TopK < 0:
		return fmt.Errorf("--top-k must be >= 0; got %d", o.TopK)
	case !(o.TopP > 0 && o.TopP <= 1):
		return fmt.Errorf("--top-p must be in (0, 1]; got %g", o.TopP)
	}
	return nil
}
