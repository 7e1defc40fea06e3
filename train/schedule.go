package train

import "math"

// Schedule is the learning-rate schedule: a linear warmup from 0 to Max over
// the first Warmup steps, then a half cosine from Max down to Min at step
// Steps. Steps are numbered from 1.
//
// The warmup keeps the first updates small while Adam's moment estimates are
// still noisy; the cosine lets the last steps fine-tune with a small rate.
type Schedule struct {
	Max, Min      float64
	Warmup, Steps int
}

// LR returns the learning rate for step (1-based). Past Steps it stays at Min.
// If Warmup >= Steps the whole run is warmup and the rate never decays.
func (s Schedule) LR(step int) float64 {
	if step <= s.Warmup {
		return s.Max * float64(step) / float64(s.Warmup)
	}
	if step >= s.Steps {
		return s.Min
	}
	// progress runs from 0 (end of warmup) to 1 (last step).
	progress := float64(step-s.Warmup) / float64(s.Steps-s.Warmup)
	coeff := 0.5 * (1 + math.Cos(math.Pi*progress)) // 1 -> 0
	return s.Min + coeff*(s.Max-s.Min)
}
