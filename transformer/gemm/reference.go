// Package gemm multiplies matrices: C = α·op(A)·op(B) + β·C in float64,
// row-major, with op(X) = X or Xᵀ (the BLAS routine dgemm).
//
// Reference is the plain triple loop to read first. Dgemm computes the same
// product fast, the way BLIS and OpenBLAS do: it copies ("packs") blocks of
// A and B into small contiguous panels sized for the caches, and a
// register-blocked micro-kernel multiplies one panel of A by one panel of B
// into a tile of C held entirely in registers (in Go assembly with AVX2 and
// FMA on amd64; in plain Go elsewhere). Implementation plugs Dgemm into
// gonum's BLAS interface (blas64.Use), so the rest of gonum and any other
// BLAS (OpenBLAS) still fit in the same place.
//
// Dgemm is single-threaded and its arithmetic depends only on the shapes:
// the same inputs give the same bits every time. Callers that want several
// cores cut C into pieces (see transformer/gemm.go).
package gemm

import "gonum.org/v1/gonum/blas"

// Reference computes C = alpha·op(A)·op(B) + beta·C with the plain triple
// loop; C is m×n, op(A) is m×k, op(B) is k×n, all row-major with leading
// dimensions (row strides) lda, ldb, ldc. As in BLAS, C is not read when
// beta is 0 and A and B are not read when alpha is 0 or k is 0.
// It panics on arguments that do not describe matrices, like gonum's Dgemm.
func Reference(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if err := Check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			// sum = Σ_p op(A)[i,p]·op(B)[p,j]
			sum := 0.0
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
func at(t blas.Transpose, x []float64, ld, i, j int) float64 {
	if t == blas.NoTrans {
		return x[i*ld+j]
	}
	return x[j*ld+i]
}
