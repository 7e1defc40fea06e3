package train

import (
	"slices"
	"testing"
)

func iota(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestSplitTokens(t *testing.T) {
	tokens := iota(1000)
	tr, va, err := SplitTokens(tokens, 0.1, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 900 || len(va) != 100 || va[0] != 900 || tr[899] != 899 {
		t.Errorf("split %d/%d starting val at %d", len(tr), len(va), va[0])
	}
	if _, _, err := SplitTokens(tokens, 0.1, 100); err == nil {
		t.Error("validation part shorter than a window accepted")
	}
	if _, _, err := SplitTokens(tokens, 0, 8); err == nil {
		t.Error("val-frac 0 accepted")
	}
}

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

func TestTilingWindowsCoverEachTargetOnce(t *testing.T) {
	for _, tc := range []struct{ n, T int }{{10, 3}, {10, 9}, {10, 10}, {2, 5}, {65, 64}, {129, 64}} {
		count := make([]int, tc.n)
		for _, w := range TilingWindows(tc.n, tc.T) {
			if w.Len < 1 || w.Len > tc.T {
				t.Errorf("n=%d T=%d: window %+v", tc.n, tc.T, w)
			}
			for i := w.Start + 1; i <= w.Start+w.Len; i++ {
				count[i]++
			}
		}
		for i, c := range count {
			if want := min(i, 1); c != want {
				t.Errorf("n=%d T=%d: token %d scored %d times, want %d", tc.n, tc.T, i, c, want)
			}
		}
	}
}
