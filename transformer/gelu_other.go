//go:build !amd64

package transformer

// geluForwardVec has no vector version here: geluForwardGo does it all.
func geluForwardVec(y, s, x []float64) int { return 0 }
