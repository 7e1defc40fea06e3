//go:build !linux

package tokenizer

// newSlots returns a zeroed table of n slots for v (see slots_linux.go for
// what Linux does instead).
func newSlots(v *vocab, n int) []slot { return make([]slot, n) }
