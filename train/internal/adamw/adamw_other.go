//go:build !amd64

package adamw

// Step has no vector version here: it does nothing and the caller's Go
// loop does it all.
func Step(p, g, m, v []float64, k *Coeffs) int { return 0 }
