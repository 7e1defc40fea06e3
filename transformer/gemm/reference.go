// Package gemm multiplies matrices: C = α·op(A)·op(B) + β·C in float64 or
// float32, row-major, with op(X) = X or Xᵀ (the BLAS routines dgemm and
// sgemm).
//
// Reference (and Reference32) is the plain triple loop to read first.
// Dgemm and Sgemm compute the same product fast, the way BLIS and OpenBLAS
// do: they copy ("pack") blocks of A and B into small contiguous panels
// sized for the caches, and a register-blocked micro-kernel multiplies one
// panel of A by one panel of B into a tile of C held entirely in registers
// (in Go assembly with AVX2 and FMA on amd64; in plain Go elsewhere). Both
// types run one driver, written once with Go generics (gemm.go), each with
// its own kernel and block sizes. Implementation plugs Dgemm and Sgemm into
// gonum's BLAS interface (blas64.Use, blas32.Use), so the rest of gonum and
// any other BLAS (OpenBLAS) still fit in the same place.
//
// The arithmetic depends only on the shapes: the same inputs give the same
// bits every time, and DgemmParallel and SgemmParallel give the same bits
// on any number of goroutines.
package gemm

import "gonum.org/v1/gonum/blas"

// Reference computes C = alpha·op(A)·op(B) + beta·C with the plain triple
// loop; C is m×n, op(A) is m×k, op(B) is k×n, all row-major with leading
// dimensions (row strides) lda, ldb, ldc. As in BLAS, C is not read when
// beta is 0 and A and B are not read when alpha is 0 or k is 0.
// It panics on arguments that do not describe matrices, like gonum's Dgemm.
func Reference(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	reference(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Reference32 is Reference in single precision: each sum is accumulated in
// float32, in the order p = 0, 1, ..., k-1, as a float32 loop written by
// hand would.
func Reference32(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	reference(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func reference[T float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if err := check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			// sum = Σ_p op(A)[i,p]·op(B)[p,j]
			var sum T
			if alpha != 0 {
				for p := 0; p < k; p++ {
					sum += at(tA, a, lda, i, p) * at(tB, b, ldb, p, j)
				}
			}
			cij := &c[i*ldc+j]
			switch {
			case beta == 0:
				*cij = alpha * sum
			case alpha == 0 || k == 0:
				*cij *= beta
			default:
				*cij = alpha*sum + beta**cij
			}
		}
	}
}

// at returns op(X)[i,j] for the row-major X with stride ld.
func at[T float](t blas.Transpose, x []T, ld, i, j int) T {
	if t == blas.NoTrans {
		return x[i*ld+j]
	}
	return x[j*ld+i]
}
