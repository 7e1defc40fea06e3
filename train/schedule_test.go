package train

import (
	"math"
	"testing"
)

func TestScheduleShape(t *testing.T) {
	for _, s := range []Schedule{
		{Max: 1e-3, Min: 1e-4, Warmup: 100, Steps: 2000},
		{Max: 3e-4, Min: 0, Warmup: 0, Steps: 10},
		{Max: 1, Min: 0.5, Warmup: 1, Steps: 2},
	} {
		if s.Warmup > 0 {
			if got := s.LR(s.Warmup); got != s.Max {
				t.Errorf("%+v: LR(warmup end %d) = %g, want max %g", s, s.Warmup, got, s.Max)
			}
			if got, want := s.LR(1), s.Max/float64(s.Warmup); math.Abs(got-want) > 1e-15 {
				t.Errorf("%+v: LR(1) = %g, want %g", s, got, want)
			}
		}
		if got := s.LR(s.Steps); got != s.Min {
			t.Errorf("%+v: LR(last step) = %g, want min %g", s, got, s.Min)
		}
		if got := s.LR(s.Steps + 5); got != s.Min {
			t.Errorf("%+v: LR(after last) = %g, want min %g", s, got, s.Min)
		}
		// Warmup rises, decay falls, and nothing leaves [Min, Max] after warmup.
		for step := 2; step <= s.Steps; step++ {
			prev, cur := s.LR(step-1), s.LR(step)
			if step <= s.Warmup && !(cur > prev) {
				t.Errorf("%+v: warmup not rising at %d: %g -> %g", s, step, prev, cur)
			}
			if step > s.Warmup && !(cur <= prev) {
				t.Errorf("%+v: decay not falling at %d: %g -> %g", s, step, prev, cur)
			}
			if step > s.Warmup && (cur < s.Min || cur > s.Max) {
				t.Errorf("%+v: LR(%d) = %g outside [%g, %g]", s, step, cur, s.Min, s.Max)
			}
		}
	}
	// Halfway through the decay a cosine is exactly at the midpoint.
	s := Schedule{Max: 1e-3, Min: 1e-4, Warmup: 100, Steps: 2100}
	if got, want := s.LR(1100), (1e-3+1e-4)/2; math.Abs(got-want) > 1e-15 {
		t.Errorf("midpoint LR = %g, want %g", got, want)
	}
}
