package sample

import (
	"errors"
	"fmt"
)

// Greedy returns the token Draw chooses at Temperature 0, without the
// probabilities: softmax is monotone, so the most likely token is the one
// with the largest logit, and one pass over the logits finds it where Draw
// computes V exponentials first. Ties go to the lower ID, as in Draw's
// ranking. Generation with nobody reading the probabilities (tick generate
// without --step) takes this path.
//
// Greedy never panics: empty or non-finite logits are the error Check
// returns for them.
func Greedy(logits []float64) (int, error) {
	if len(logits) == 0 {
		return 0, errors.New("sample: no logits (vocabulary of size 0)")
	}
	best := 0
	for id, l := range logits {
		// l-l is NaN for NaN and ±Inf and 0 for every finite l: one test
		// for both, so the loop stays a compare and a branch per logit.
		if l-l != 0 {
			return 0, fmt.Errorf("sample: logit of token %d is %v; the model's output is broken (its training diverged, or its weights were altered): use another checkpoint", id, l)
		}
		if l > logits[best] { // strictly: an equal logit later has a higher ID and ranks below
			best = id
		}
	}
	return best, nil
}
