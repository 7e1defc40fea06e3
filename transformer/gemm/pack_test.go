package gemm

import (
	"math/rand/v2"
	"testing"
)

// TestPackMatchesDefinition: packA and packB (with their assembly paths
// where there are) write exactly the layout their comments define, for
// both transposes, whole and partial panels, and depths that are and are
// not multiples of the assembly's four.
func TestPackMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, kb := range []int{1, 3, 4, 5, 8, 13, 64} {
		for _, trans := range []bool{false, true} {
			for _, cols := range []int{16, 11} { // whole panels (of B: nr; of A: 6), partial ones
				for _, nr := range []int{16, 32} { // the AVX2 and the AVX-512 float32 kernels' panels
					bc := cols // the columns of op(B) packed: a whole panel of nr, or 11 of it
					if cols == 16 {
						bc = nr
					}
					rows, ld := kb, bc+5 // the stored operand: kb×bc, or bc×kb when transposed
					if trans {
						rows, ld = bc, kb+3
					}
					src := matrix[float32](rng, rows+2, ld, ld) // two rows more: the block starts at row or column 1
					d := make([]float32, nr*kb)
					packB(nr, d, trans, src, ld, 1, 1, kb, bc) // rows pc=1.., columns jc=1.. of op(B)
					for p := 0; p < kb; p++ {
						for j := 0; j < nr; j++ {
							want := float32(0)
							if j < bc {
								want = opAt(src, ld, trans, 1+p, 1+j)
							}
							if d[p*nr+j] != want {
								t.Fatalf("packB nr %d kb %d trans %v cols %d: d[%d·%d+%d] = %v, want %v", nr, kb, trans, bc, p, nr, j, d[p*nr+j], want)
							}
						}
					}
				}
				mb := min(6, cols) // a whole panel of 6 rows, or 6 with some missing
				if cols == 11 {
					mb = 5
				}
				arows, ald := 1+mb, kb+4 // op(A) is mb×kb from (1, 1): stored so, or transposed
				if trans {
					arows, ald = kb+1, mb+4
				}
				asrc := matrix[float32](rng, arows, ald, ald)
				a := make([]float32, 6*kb)
				packA(6, a, trans, asrc, ald, 1, 1, mb, kb)
				for p := 0; p < kb; p++ {
					for r := 0; r < 6; r++ {
						want := float32(0)
						if r < mb {
							want = opAt(asrc, ald, trans, 1+r, 1+p)
						}
						if a[p*6+r] != want {
							t.Fatalf("packA kb %d trans %v: d[%d·6+%d] = %v, want %v", kb, trans, p, r, a[p*6+r], want)
						}
					}
				}
			}
		}
	}
}

// opAt is op(X)[i,j] of a stored X with stride ld: X[i,j], or X[j,i] when trans.
func opAt(x []float32, ld int, trans bool, i, j int) float32 {
	if trans {
		return x[j*ld+i]
	}
	return x[i*ld+j]
}
