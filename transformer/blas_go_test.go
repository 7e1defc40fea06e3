//go:build !openblas

package transformer

import (
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	gemmkernel "github.com/tick-llm/tick/transformer/gemm"
)

// TestDefaultBackend: the default build runs gonum's float64 and float32
// products on transformer/gemm, and Backend names the kernel that really
// runs.
func TestDefaultBackend(t *testing.T) {
	if _, ok := blas64.Implementation().(gemmkernel.Implementation); !ok {
		t.Fatalf("blas64 runs on %T, want gemm.Implementation", blas64.Implementation())
	}
	if _, ok := blas32.Implementation().(gemmkernel.Implementation); !ok {
		t.Fatalf("blas32 runs on %T, want gemm.Implementation", blas32.Implementation())
	}
	if Backend != gemmkernel.Name() || gemmParallel == nil || gemmParallel32 == nil {
		t.Fatalf("Backend %q, kernel %q, parallel paths set: float64 %v, float32 %v", Backend, gemmkernel.Name(), gemmParallel != nil, gemmParallel32 != nil)
	}
}
