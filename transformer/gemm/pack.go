package gemm

// Packing copies a block of op(A) or op(B) into the order the kernel reads
// it, so the kernel's loads are contiguous whatever the transposes and
// strides were, and pads the last panel with zeros to a whole mr or nr.

// packA copies the mb×kb block of op(A) at rows ic.., columns pc.. into dst
// as mr-row panels: dst[s·kb·mr + p·mr + r] = op(A)[ic+s·mr+r, pc+p].
// op(A)[i,p] is a[i·lda+p], or a[p·lda+i] when trans.
func packA[T float](mr int, dst []T, trans bool, a []T, lda, ic, pc, mb, kb int) {
	for s := 0; s*mr < mb; s++ {
		d := dst[s*kb*mr:][:kb*mr]
		rows := min(mr, mb-s*mr)
		i0 := ic + s*mr
		if mr == 6 && rows == 6 {
			packA6(d, trans, a, lda, i0, pc, kb)
			continue
		}
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
func packB[T float](nr int, dst []T, trans bool, b []T, ldb, pc, jc, kb, nb int) {
	for s := 0; s*nr < nb; s++ {
		d := dst[s*kb*nr:][:kb*nr]
		cols := min(nr, nb-s*nr)
		j0 := jc + s*nr
		if nr == 16 && cols == 16 && !trans {
			packB16(d, b, ldb, pc, j0, kb)
			continue
		}
		if (nr == 16 || nr == 32) && cols == nr && trans { // in assembly four rows at a time, 16 columns a call, where there is
			if d32, ok := any(d).([]float32); ok {
				b32 := any(b).([]float32)
				done := kb
				for j := 0; j < nr; j += 16 {
					done = packB16Trans32(d32[j:], b32[(j0+j)*ldb+pc:], ldb, nr, kb)
				}
				if done < kb {
					for j := 0; j < nr; j += 8 {
						packB8(d[done*nr+j:], nr, true, b, ldb, pc+done, j0+j, kb-done)
					}
				}
				continue
			}
		}
		if nr%8 == 0 && cols == nr {
			for j := 0; j < nr; j += 8 {
				packB8(d[j:], nr, trans, b, ldb, pc, j0+j, kb)
			}
			continue
		}
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

// packA6 is packA for one whole 6-row panel (the AVX2 kernels'), with the
// copies unrolled element by element: the general loops spend more time in
// bounds checks and small copy calls than in moving data (and an array
// assignment of 48 or 64 bytes compiles to a call of memmove too).
func packA6[T float](d []T, trans bool, a []T, lda, i0, pc, kb int) {
	d = d[:6*kb]
	if trans {
		if d32, ok := any(d).([]float32); ok && packA6Trans32(d32, any(a).([]float32)[pc*lda+i0:], lda, kb) {
			return
		}
		for p := 0; p < kb; p++ {
			q, r := (*[6]T)(d[6*p:]), (*[6]T)(a[(pc+p)*lda+i0:])
			q[0], q[1], q[2], q[3], q[4], q[5] = r[0], r[1], r[2], r[3], r[4], r[5]
		}
		return
	}
	// Six row streams of A, written interleaved: d[6p+r] = A[i0+r, pc+p].
	if d32, ok := any(d).([]float32); ok { // in assembly four columns at a time, where there is
		done := packA6Rows32(d32, any(a).([]float32)[i0*lda+pc:], lda, kb)
		d, pc, kb = d[6*done:], pc+done, kb-done
	}
	r0 := a[i0*lda+pc:][:kb]
	r1 := a[(i0+1)*lda+pc:][:kb]
	r2 := a[(i0+2)*lda+pc:][:kb]
	r3 := a[(i0+3)*lda+pc:][:kb]
	r4 := a[(i0+4)*lda+pc:][:kb]
	r5 := a[(i0+5)*lda+pc:][:kb]
	for p := range r0 {
		q := (*[6]T)(d[6*p:])
		q[0], q[1], q[2], q[3], q[4], q[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
	}
}

// packB8 packs 8 whole columns of op(B) (columns j0..j0+7, rows pc..pc+kb-1)
// into d with row stride nr: d[p·nr + j] = op(B)[pc+p, j0+j], j < 8. A
// panel of the float64 AVX2 kernel (nr 8) is one call, of the float32 one
// (nr 16) two, at d and d[8:], when B is transposed (packB16 otherwise).
func packB8[T float](d []T, nr int, trans bool, b []T, ldb, pc, j0, kb int) {
	d = d[:nr*(kb-1)+8]
	if !trans {
		for p := 0; p < kb; p++ {
			q, r := (*[8]T)(d[nr*p:]), (*[8]T)(b[(pc+p)*ldb+j0:])
			q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7] = r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
		}
		return
	}
	// Eight row streams of the stored B (columns of op(B)).
	c0 := b[j0*ldb+pc:][:kb]
	c1 := b[(j0+1)*ldb+pc:][:kb]
	c2 := b[(j0+2)*ldb+pc:][:kb]
	c3 := b[(j0+3)*ldb+pc:][:kb]
	c4 := b[(j0+4)*ldb+pc:][:kb]
	c5 := b[(j0+5)*ldb+pc:][:kb]
	c6 := b[(j0+6)*ldb+pc:][:kb]
	c7 := b[(j0+7)*ldb+pc:][:kb]
	for p := range c0 {
		q := (*[8]T)(d[nr*p:])
		q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7] = c0[p], c1[p], c2[p], c3[p], c4[p], c5[p], c6[p], c7[p]
	}
}

// packB16 is packB for one whole 16-column panel (the float32 AVX2
// kernel's) of an untransposed B, one pass over the rows: each row of the
// panel is 16 contiguous values of a row of B, copied element by element
// as in packA6 (measured on a 256×384 panel: about 0.7× the time of two
// packB8 passes, 0.85× that of a 64-byte array assignment).
func packB16[T float](d []T, b []T, ldb, pc, j0, kb int) {
	d = d[:16*kb]
	for p := 0; p < kb; p++ {
		q, r := (*[16]T)(d[16*p:]), (*[16]T)(b[(pc+p)*ldb+j0:])
		q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7] = r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
		q[8], q[9], q[10], q[11], q[12], q[13], q[14], q[15] = r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]
	}
}
