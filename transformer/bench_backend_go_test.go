//go:build !openblas

package transformer

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchBackends in the default build: transformer/gemm (what tick runs)
// and gonum's own pure-Go dgemm (what it ran before), so one benchmark run
// compares them side by side.
func benchBackends() []benchBackend {
	return []benchBackend{
		{Backend, func() func() { return func() {} }},
		{"gonum", func() func() {
			impl, par := blas64.Implementation(), gemmParallel
			blas64.Use(gonum.Implementation{})
			gemmParallel = nil
			return func() { blas64.Use(impl); gemmParallel = par }
		}},
	}
}
