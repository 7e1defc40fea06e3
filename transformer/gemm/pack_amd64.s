#include "textflag.h"

// TRANSPOSE4 transposes the 4×4 block of floats in X0-X3 (row i in Xi,
// its four values a, b, c, d) into columns, with t0 and t1 for scratch:
// the a values of the four rows end in X1, the b values in t1, c in X3
// and d in X2. Unpacking pairs rows 0-1 and 2-3 (t0 = r0a r1a r0b r1b,
// X0 = r0c r1c r0d r1d, t1 and X2 likewise for rows 2-3), then the
// halves of the pairs are joined.
#define TRANSPOSE4(t0, t1) \
	MOVAPS   X0, t0 \
	UNPCKLPS X1, t0 \
	UNPCKHPS X1, X0 \
	MOVAPS   X2, t1 \
	UNPCKLPS X3, t1 \
	UNPCKHPS X3, X2 \
	MOVAPS   t0, X1 \
	MOVLHPS  t1, X1 \
	MOVHLPS  t0, t1 \
	MOVAPS   X0, X3 \
	MOVLHPS  X2, X3 \
	MOVHLPS  X0, X2

// func packA6T32(d, a *float32, lda, kb int)
// packA6's transposed float32 case: for each p < kb (kb ≥ 1), the 6
// values a[p·lda : p·lda+6] go to d[6p : 6p+6], moved as 16 + 8 bytes
// instead of six single loads and stores.
TEXT ·packA6T32(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), BX
	SHLQ $2, BX                // a row of a in bytes
	MOVQ kb+24(FP), CX

ploop:
	MOVUPS (SI), X0            // values 0-3
	MOVSD  16(SI), X1          // values 4-5 (8 bytes)
	MOVUPS X0, (DI)
	MOVSD  X1, 16(DI)
	ADDQ   BX, SI
	ADDQ   $24, DI
	DECQ   CX
	JNZ    ploop
	RET

// func packA6N32(d, a *float32, lda, kb int)
// packA6's untransposed float32 case for the first kb&^3 columns (kb ≥ 4):
// d[6p+r] = a[r·lda+p]. Four p at a time: four values from each of the 6
// rows, rows 0-3 transposed as a 4×4 block and rows 4-5 interleaved in
// pairs, then stored as four runs of 6.
TEXT ·packA6N32(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), BX
	SHLQ $2, BX                // a row of a in bytes
	LEAQ (SI)(BX*2), R8
	ADDQ BX, R8                // row 3
	MOVQ kb+24(FP), CX
	SHRQ $2, CX

nloop:
	MOVUPS (SI), X0            // row 0, p..p+3
	MOVUPS (SI)(BX*1), X1      // row 1
	MOVUPS (SI)(BX*2), X2      // row 2
	MOVUPS (R8), X3            // row 3
	MOVUPS (SI)(BX*4), X4      // row 4
	MOVUPS (R8)(BX*2), X5      // row 5
	TRANSPOSE4(X6, X7)         // rows 0-3 of p in X1, p+1 in X7, p+2 in X3, p+3 in X2
	MOVAPS X4, X8
	UNPCKLPS X5, X8            // r4p0 r5p0 r4p1 r5p1
	UNPCKHPS X5, X4            // r4p2 r5p2 r4p3 r5p3
	MOVUPS X1, 0(DI)
	MOVLPS X8, 16(DI)
	MOVUPS X7, 24(DI)
	MOVHPS X8, 40(DI)
	MOVUPS X3, 48(DI)
	MOVLPS X4, 64(DI)
	MOVUPS X2, 72(DI)
	MOVHPS X4, 88(DI)
	ADDQ $16, SI
	ADDQ $16, R8
	ADDQ $96, DI
	DECQ CX
	JNZ  nloop
	RET

// func packB16T32(d, b *float32, ldb, ldd, kb int)
// packB's transposed float32 case for 16 whole columns of a panel whose
// rows are ldd floats apart (16 or 32), first kb&^3 rows (kb ≥ 4):
// d[ldd·p+j] = b[j·ldb+p]. Four p at a time: for each group of four
// columns j, four values of each of its four stored rows, transposed as a
// 4×4 block (as in packA6N32) into four runs of 4.
TEXT ·packB16T32(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ ldb+16(FP), BX
	SHLQ $2, BX                // a row of b in bytes
	LEAQ (BX)(BX*2), R9        // three rows
	MOVQ ldd+24(FP), R11
	SHLQ $2, R11               // a row of d in bytes
	LEAQ (R11)(R11*2), R12     // three rows of d
	MOVQ kb+32(FP), CX
	SHRQ $2, CX

bloop:
	MOVQ SI, R8                // stored row j of the group, at p
	MOVQ DI, R10               // d[ldd·p+j]
	MOVQ $4, DX

bgroup:
	MOVUPS (R8), X0            // column j of op(B), p..p+3
	MOVUPS (R8)(BX*1), X1      // column j+1
	MOVUPS (R8)(BX*2), X2      // column j+2
	MOVUPS (R8)(R9*1), X3      // column j+3
	TRANSPOSE4(X4, X5)         // columns j..j+3 of p in X1, p+1 in X5, p+2 in X3, p+3 in X2
	MOVUPS X1, (R10)
	MOVUPS X5, (R10)(R11*1)
	MOVUPS X3, (R10)(R11*2)
	MOVUPS X2, (R10)(R12*1)
	LEAQ (R8)(BX*4), R8
	ADDQ $16, R10
	DECQ DX
	JNZ  bgroup

	ADDQ $16, SI               // the next four p
	LEAQ (DI)(R11*4), DI       // four rows of the panel
	DECQ CX
	JNZ  bloop
	RET
