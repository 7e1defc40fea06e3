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

// Validate reports why o cannot be used, as an *OptionError naming the
// field. A command-line tool can turn Option into the name of its own flag.
func (o Options) Validate() error {
	switch {
	case !(o.Temperature >= 0): // also catches NaN
		return &OptionError{Option: "Temperature", Value: o.Temperature, Want: "it must be >= 0 (0 is greedy)"}
	case math.IsInf(o.Temperature, 0):
		return &OptionError{Option: "Temperature", Value: o.Temperature, Want: "it must be finite"}
	case o.TopK < 0:
		return &OptionError{Option: "TopK", Value: o.TopK, Want: "it must be >= 0 (0 keeps every token)"}
	case !(o.TopP > 0 && o.TopP <= 1):
		return &OptionError{Option: "TopP", Value: o.TopP, Want: "it must be in (0, 1]"}
	}
	return nil
}

// OptionError is a field of Options whose value cannot be used, e.g.
// "sample: TopP 0 is out of range: it must be in (0, 1]".
type OptionError struct {
	Option string // the field's Go name: "Temperature", "TopK" or "TopP"
	Value  any    // the value given (a float64 or an int)
	Want   string // the rule it breaks, as a clause: "it must be in (0, 1]"
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("sample: %s %v is out of range: %s", e.Option, e.Value, e.Want)
}
