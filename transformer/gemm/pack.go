package gemm

// Packing copies a block of op(A) or op(B) into the order the kernel reads
// it, so the kernel's loads are contiguous whatever the transposes and
// strides were, and pads the last panel with zeros to a whole mr or nr.

// packA copies the mb×kb block of op(A) at rows ic.., columns pc.. into dst
// as mr-row panels: dst[s·kb·mr + p·mr + r] = op(A)[ic+s·mr+r, pc+p].
// op(A)[i,p] is a[i·lda+p], or a[p·lda+i] when trans.
func packA(mr int, dst []float64, trans bool, a []float64, lda, ic, pc, mb, kb int) {
	for s := 0; s*mr < mb; s++ {
		d := dst[s*kb*mr:][:kb*mr]
		rows := min(mr, mb-s*mr)
		i0 := ic + s*mr
		if trans {
			for p := 0; p < kb; p++ {
				src := a[(pc+p)*lda+i0:][:rows]
				dp := d[p*mr:][:mr]
				copy(dp, src)
				clear(dp[rows:])
			}
			continue
		}
		for r := 0; r < rows; r++ {
			src := a[(i0+r)*lda+pc:][:kb]
			for p, v := range src {
				d[p*mr+r] = v
			}
		}
		for r := rows; r < mr; r++ {
			for p := 0; p < kb; p++ {
				d[p*mr+r] = 0
			}
		}
	}
}

// packB copies the kb×nb block of op(B) at rows pc.., columns jc.. into dst
// as nr-column panels: dst[s·kb·nr + p·nr + j] = op(B)[pc+p, jc+s·nr+j].
// op(B)[p,j] is b[p·ldb+j], or b[j·ldb+p] when trans.
func packB(nr int, dst []float64, trans bool, b []float64, ldb, pc, jc, kb, nb int) {
	for s := 0; s*nr < nb; s++ {
		d := dst[s*kb*nr:][:kb*nr]
		cols := min(nr, nb-s*nr)
		j0 := jc + s*nr
		if !trans {
			for p := 0; p < kb; p++ {
				src := b[(pc+p)*ldb+j0:][:cols]
				dp := d[p*nr:][:nr]
				copy(dp, src)
				clear(dp[cols:])
			}
			continue
		}
		for j := 0; j < cols; j++ {
			src := b[(j0+j)*ldb+pc:][:kb]
			for p, v := range src {
				d[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kb; p++ {
				d[p*nr+j] = 0
			}
		}
	}
}
