#include "textflag.h"

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
