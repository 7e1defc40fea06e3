package train

import (
	"slices"
	"testing"
)

func TestBatcher(t *testing.T) {
	tokens := iota(50)
	b := NewBatcher(tokens, 3, 5, 42)
	for range 100 {
		x, y := b.Next()
		for w := range 3 {
			xs, ys := x[w*5:(w+1)*5], y[w*5:(w+1)*5]
			// Tokens equal their positions, so a window is consecutive
			// numbers and targets are inputs shifted by one.
			for i := range 5 {
				if xs[i] != xs[0]+i || ys[i] != xs[i]+1 || ys[i] >= len(tokens) {
					t.Fatalf("window x=%v y=%v", xs, ys)
				}
			}
		}
	}
	// Saving the state and restoring it into a fresh batcher reproduces
	// the following batches exactly.
	state, err := b.State()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := b.Next()
	c := NewBatcher(tokens, 3, 5, 7)
	if err := c.SetState(state); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Next(); !slices.Equal(got, want) {
		t.Errorf("restored batcher gave %v, want %v", got, want)
	}
	// Every start is reachable, including the last one (45).
	seen := map[int]bool{}
	d := NewBatcher(tokens, 1, 5, 1)
	for range 5000 {
		x, _ := d.Next()
		seen[x[0]] = true
	}
	if len(seen) != 45 {
		t.Errorf("%d distinct starts, want 45 (0..44)", len(seen))
	}
}

func iota(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
