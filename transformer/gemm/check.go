package gemm

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
)

// Check reports whether the arguments of a Dgemm call describe matrices:
// valid transposes, non-negative sizes, strides at least the row length and
// slices long enough. The error names the argument and the fix.
func Check(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) error {
	return check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
}

// Check32 is Check for the arguments of an Sgemm call.
func Check32(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) error {
	return check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
}

func check[T float](tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) error {
	for _, t := range []struct {
		name string
		t    blas.Transpose
	}{{"tA", tA}, {"tB", tB}} {
		if t.t != blas.NoTrans && t.t != blas.Trans && t.t != blas.ConjTrans {
			return fmt.Errorf("gemm: %s is %d, want blas.NoTrans, blas.Trans or blas.ConjTrans", t.name, t.t)
		}
	}
	if m < 0 || n < 0 || k < 0 {
		return fmt.Errorf("gemm: sizes m=%d n=%d k=%d: each must be 0 or more", m, n, k)
	}
	// op(A) is m×k: stored k×m when transposed.
	ar, ac := m, k
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	for _, x := range []struct {
		name           string
		rows, cols, ld int
		data           []T
	}{{"A", ar, ac, lda, a}, {"B", br, bc, ldb, b}, {"C", m, n, ldc, c}} {
		if x.ld < max(1, x.cols) {
			return fmt.Errorf("gemm: %s is %d×%d with stride %d: the stride must be at least max(1, %d)", x.name, x.rows, x.cols, x.ld, x.cols)
		}
		if m == 0 || n == 0 || x.rows == 0 || x.cols == 0 {
			continue // nothing of x is read or written
		}
		if need := (x.rows-1)*x.ld + x.cols; len(x.data) < need {
			return fmt.Errorf("gemm: %s is %d×%d with stride %d, which needs %d elements, but its slice has %d", x.name, x.rows, x.cols, x.ld, need, len(x.data))
		}
	}
	return nil
}
