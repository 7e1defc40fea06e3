package round32

import "golang.org/x/sys/cpu"

// hasAVX says whether roundAVX runs; a test may turn it off.
var hasAVX = cpu.X86.HasAVX

// roundVec rounds the largest multiple of 8 values of src into dst with
// AVX and returns how many (0 without AVX).
func roundVec(dst []float32, src []float64) int {
	n := len(src) &^ 7
	if !hasAVX || n == 0 {
		return 0
	}
	_ = dst[n-1]
	roundAVX(&dst[0], &src[0], n)
	return n
}

// roundAVX: dst[i] = float32(src[i]) for i < n, n a positive multiple of 8.
//
//go:noescape
func roundAVX(dst *float32, src *float64, n int)
