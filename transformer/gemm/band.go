package gemm

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
)

// Band says which part of a product causal attention needs, so that the
// driver can skip the rest. A position attends to itself and the past only:
// its row of attention weights P is zero after the diagonal, so half of
// each product in attention is known before it is computed.
//
// The sums that remain are added in the same order as in the full product:
// only terms that are exactly zero are left out, so a banded product has
// the same bits as the full one on operands that are zero where the band
// says (TestBandSameBits).
type Band uint8

const (
	// Full is the whole product, as Dgemm computes it.
	Full Band = iota
	// LowerC needs C[i,j] for j ≤ i only (scores q·kᵀ, dP = dY·vᵀ):
	// a tile of C wholly above the diagonal is left at beta·C, one that
	// crosses it is computed whole, so an entry above the diagonal holds
	// either value.
	LowerC
	// LowerA promises op(A)[i,p] = 0 for p > i, so row i sums over p ≤ i
	// only (P·v, dS·k).
	LowerA
	// UpperA promises op(A)[i,p] = 0 for p < i, so row i sums over p ≥ i
	// only (Pᵀ·dY, dSᵀ·q).
	UpperA
)

// DgemmBand is Dgemm with the work outside band skipped (on the calling
// goroutine).
func DgemmBand(band Band, tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if err := Check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	gemm(best64, 1, band, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmBand is Sgemm with the work outside band skipped (on the calling
// goroutine).
func SgemmBand(band Band, tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if err := Check32(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
		panic(err)
	}
	gemm(best32, 1, band, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// bandAt is a Band placed on one block of a product: the block's first row
// and column of C and the first p of its panel, in the whole product.
type bandAt struct {
	band         Band
	row, col, pc int
}

// sums is the range [lo, hi) of the panel's kb values of p that the tile
// of mm rows from row ir and nn columns from column jr of the block needs;
// empty when the tile needs none (it keeps beta·C).
func (b bandAt) sums(ir, mm, jr, kb int) (lo, hi int) {
	first, last := b.row+ir, b.row+ir+mm-1 // the tile's rows in the product
	switch b.band {
	case LowerC:
		if b.col+jr > last { // every column of the tile is past every row's diagonal
			return 0, 0
		}
	case LowerA:
		return 0, min(kb, last+1-b.pc)
	case UpperA:
		return max(0, first-b.pc), kb
	}
	return 0, kb
}

func (b Band) String() string {
	switch b {
	case Full:
		return "Full"
	case LowerC:
		return "LowerC"
	case LowerA:
		return "LowerA"
	case UpperA:
		return "UpperA"
	}
	return fmt.Sprintf("Band(%d)", uint8(b))
}
