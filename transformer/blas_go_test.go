//go:build !openblas

package transformer

import (
	"testing"

	"gonum.org/v1/gonum/blas/blas64"

	gemmkernel "github.com/tick-llm/tick/transformer/gemm"
)

// TestDefaultBackend: the default build runs gonum's float64 products on
// transformer/gemm, and Backend names the kernel that really runs.
func TestDefaultBackend(t *testing.T) {
	if _, ok := blas64.Implementation().(gemmkernel.Implementation); !ok {
		t.Fatalf("blas64 runs on %T, want gemm.Implementation", blas64.Implementation())
	}
	if Backend != gemmkernel.Name() || gemmParallel == nil {
		t.Fatalf("Backend %q, kernel %q, parallel path set %v", Backend, gemmkernel.Name(), gemmParallel != nil)
	}
}
