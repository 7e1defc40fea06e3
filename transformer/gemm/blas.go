package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is gonum's pure-Go BLAS with Dgemm and Sgemm replaced by
// this package's: install it with blas64.Use(gemm.Implementation{}) and
// blas32.Use(gemm.Implementation{}) and every matrix product through gonum
// (blas64.Gemm, blas32.Gemm, mat.Dense.Mul) runs on the packed
// micro-kernels while every other routine stays gonum's.
type Implementation struct {
	gonum.Implementation
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C (see the package Dgemm).
// Unlike gonum's it runs on the calling goroutine only.
func (Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in float32 (see the
// package Sgemm). Unlike gonum's it runs on the calling goroutine only.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
