// Package gelu computes GPT-2's GELU (tanh approximation) forward, element
// by element: the plain Go loop (ForwardGo) and, on CPUs with AVX2, the same
// operations four at a time in Go assembly (Forward), which a package using
// cgo (transformer with the openblas tag) cannot hold itself.
//
// u = √(2/π)·(x + 0.044715x³), y = ½x(1 + tanh u) = x·σ(2u).
package gelu

import (
	"math"

	"github.com/tick-llm/tick/transformer/internal/fastexp"
)

// Scale is √(2/π).
var Scale = math.Sqrt(2 / math.Pi)

// Forward sets y = x·s with s = σ(2u) = ½(1 + tanh u), kept in s (nil: not
// kept). On CPUs with AVX2 whole groups of 4 run in forward_amd64.s, the
// same operations as ForwardGo four at a time; the rest in ForwardGo.
func Forward(y, s, x []float64) {
	n := forwardVec(y, s, x)
	if s != nil {
		s = s[n:]
	}
	ForwardGo(y[n:], s, x[n:])
}

// ForwardGo is Forward one element at a time in Go.
func ForwardGo(y, s, x []float64) {
	for i, v := range x {
		u := Scale * (v + 0.044715*v*v*v)
		si := 1 / (1 + fastexp.Exp(-2*u))
		y[i] = v * si
		if s != nil {
			s[i] = si
		}
	}
}
