package adamw

import "golang.org/x/sys/cpu"

// hasAVX2 says whether stepAVX2 runs (the CPU has AVX2).
var hasAVX2 = cpu.X86.HasAVX2

// Step updates the largest multiple of 4 weights of p (with gradients g
// and moments m, v, each at least as long) with AVX2 and returns how many
// it did (0 without AVX2); the caller's Go loop does the rest.
func Step(p, g, m, v []float64, k *Coeffs) int {
	n := len(p) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = g[n-1], m[n-1], v[n-1]
	stepAVX2(&p[0], &g[0], &m[0], &v[0], n, k)
	return n
}

// stepAVX2 is the update on the first n weights, n > 0 a multiple of 4.
//
//go:noescape
func stepAVX2(p, grad, m, v *float64, n int, k *Coeffs)
