//go:build !amd64

package gelu

// hasAVX2 is false here: there is no vector version.
const hasAVX2 = false

// forwardVec has no vector version here: ForwardGo does it all.
func forwardVec(y, s, x []float64) int { return 0 }
