#include "textflag.h"

// The row sums keep 8 float64 lanes in two registers: Y0 holds lanes 0-3
// (values j with j%8 < 4), Y1 lanes 4-7. REDUCE8 adds them as reduce8
// does: lane k with lane k+4, the high half onto the low half, then the
// last two, leaving the sum in the low lane of the first register.
#define REDUCE8(lo, hi, xlo, xhi) \
	VADDPD hi, lo, lo; \
	VEXTRACTF128 $1, lo, xhi; \
	VADDPD xhi, xlo, xlo; \
	VHADDPD xlo, xlo, xlo

// func sum8AVX2(x *float32, n int) float64
// Lanes += float64(x), 8 values a step.
TEXT ·sum8AVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1

sloop:
	VCVTPS2PD (SI), Y2         // x[0:4] as float64
	VCVTPS2PD 16(SI), Y3       // x[4:8]
	VADDPD Y2, Y0, Y0          // lanes 0-3
	VADDPD Y3, Y1, Y1          // lanes 4-7
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  sloop

	REDUCE8(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSD X0, ret+16(FP)
	RET

// func sumSqDev8AVX2(x *float32, n int, m float64) float64
// Lanes += (float64(x)−m)², 8 values a step (a multiply and an add, not
// fused, as in Go).
TEXT ·sumSqDev8AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VBROADCASTSD m+16(FP), Y4
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1

qloop:
	VCVTPS2PD (SI), Y2
	VCVTPS2PD 16(SI), Y3
	VSUBPD Y4, Y2, Y2          // c = x − m
	VSUBPD Y4, Y3, Y3
	VMULPD Y2, Y2, Y2          // c²
	VMULPD Y3, Y3, Y3
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y1, Y1
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  qloop

	REDUCE8(Y0, Y1, X0, X1)
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func gradSums8AVX2(dy, gain, x *float32, n int, m, r float64) (sD, sDX float64)
// dn = float64(dy)·float64(g); lanes of sD += dn (Y0, Y1) and lanes of
// sDX += dn·(float64(x)−m)·r (Y2, Y3), 8 values a step.
TEXT ·gradSums8AVX2(SB), NOSPLIT, $0-64
	MOVQ dy+0(FP), DI
	MOVQ gain+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	VBROADCASTSD m+32(FP), Y8
	VBROADCASTSD r+40(FP), Y9
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

gloop:
	VCVTPS2PD (DI), Y4         // dy
	VCVTPS2PD 16(DI), Y5
	VCVTPS2PD (DX), Y6         // g
	VCVTPS2PD 16(DX), Y7
	VMULPD Y6, Y4, Y4          // dn = dy·g
	VMULPD Y7, Y5, Y5
	VADDPD Y4, Y0, Y0          // sD lanes
	VADDPD Y5, Y1, Y1
	VCVTPS2PD (SI), Y6         // x
	VCVTPS2PD 16(SI), Y7
	VSUBPD Y8, Y6, Y6          // x − m
	VSUBPD Y8, Y7, Y7
	VMULPD Y6, Y4, Y4          // dn·(x−m)
	VMULPD Y7, Y5, Y5
	VMULPD Y9, Y4, Y4          // ·r
	VMULPD Y9, Y5, Y5
	VADDPD Y4, Y2, Y2          // sDX lanes
	VADDPD Y5, Y3, Y3
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  gloop

	REDUCE8(Y0, Y1, X0, X1)
	REDUCE8(Y2, Y3, X2, X3)
	VZEROUPPER
	MOVSD X0, sD+48(FP)
	MOVSD X2, sDX+56(FP)
	RET

// func scaleShiftAVX2(y, x, gain, b *float32, n int, mf, rf float32)
// y = (x−mf)·rf·g (+ b), 8 float32 values a step, each operation rounded
// as in Go.
TEXT ·scaleShiftAVX2(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ gain+16(FP), DX
	MOVQ b+24(FP), BX
	MOVQ n+32(FP), CX
	VBROADCASTSS mf+40(FP), Y4
	VBROADCASTSS rf+44(FP), Y5
	TESTQ BX, BX
	JZ    nobias

bloop:
	VMOVUPS (SI), Y0
	VSUBPS Y4, Y0, Y0          // x − mf
	VMULPS Y5, Y0, Y0          // ·rf
	VMULPS (DX), Y0, Y0        // ·g
	VADDPS (BX), Y0, Y0        // + b
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, BX
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  bloop
	VZEROUPPER
	RET

nobias:
	VMOVUPS (SI), Y0
	VSUBPS Y4, Y0, Y0
	VMULPS Y5, Y0, Y0
	VMULPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  nobias
	VZEROUPPER
	RET

// func gradInputAVX2(dx, dy, x, gain *float32, n int, mf, rf, sD, sDX float32)
// dx += rf·(dy·g − sD − x̂·sDX) with x̂ = (x−mf)·rf, 8 float32 values a
// step, each operation rounded as in Go.
TEXT ·gradInputAVX2(SB), NOSPLIT, $0-56
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), BX
	MOVQ x+16(FP), SI
	MOVQ gain+24(FP), DX
	MOVQ n+32(FP), CX
	VBROADCASTSS mf+40(FP), Y4
	VBROADCASTSS rf+44(FP), Y5
	VBROADCASTSS sD+48(FP), Y6
	VBROADCASTSS sDX+52(FP), Y7

iloop:
	VMOVUPS (BX), Y0
	VMULPS (DX), Y0, Y0        // dy·g
	VSUBPS Y6, Y0, Y0          // − sD
	VMOVUPS (SI), Y1
	VSUBPS Y4, Y1, Y1          // x − mf
	VMULPS Y5, Y1, Y1          // x̂ = ·rf
	VMULPS Y7, Y1, Y1          // x̂·sDX
	VSUBPS Y1, Y0, Y0          // dy·g − sD − x̂·sDX
	VMULPS Y5, Y0, Y0          // ·rf
	VADDPS (DI), Y0, Y0        // dx +
	VMOVUPS Y0, (DI)
	ADDQ $32, BX
	ADDQ $32, DX
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  iloop
	VZEROUPPER
	RET

// func paramRowAVX2(dg, db *float64, dy, x *float32, n int, m, r float64)
// dg += float64(dy)·(float64(x)−m)·r and db += float64(dy), 4 float64
// values a step.
TEXT ·paramRowAVX2(SB), NOSPLIT, $0-56
	MOVQ dg+0(FP), DI
	MOVQ db+8(FP), BX
	MOVQ dy+16(FP), DX
	MOVQ x+24(FP), SI
	MOVQ n+32(FP), CX
	VBROADCASTSD m+40(FP), Y4
	VBROADCASTSD r+48(FP), Y5
	TESTQ BX, BX
	JZ    pnobias

ploop:
	VCVTPS2PD (DX), Y0         // dy
	VCVTPS2PD (SI), Y1         // x
	VSUBPD Y4, Y1, Y1          // x − m
	VMULPD Y1, Y0, Y1          // dy·(x−m)
	VMULPD Y5, Y1, Y1          // ·r
	VADDPD (DI), Y1, Y1        // dg +
	VMOVUPD Y1, (DI)
	VADDPD (BX), Y0, Y0        // db + dy
	VMOVUPD Y0, (BX)
	ADDQ $16, DX
	ADDQ $16, SI
	ADDQ $32, DI
	ADDQ $32, BX
	SUBQ $4, CX
	JNZ  ploop
	VZEROUPPER
	RET

pnobias:
	VCVTPS2PD (DX), Y0
	VCVTPS2PD (SI), Y1
	VSUBPD Y4, Y1, Y1
	VMULPD Y1, Y0, Y1
	VMULPD Y5, Y1, Y1
	VADDPD (DI), Y1, Y1
	VMOVUPD Y1, (DI)
	ADDQ $16, DX
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JNZ  pnobias
	VZEROUPPER
	RET

// func addRowsAVX2(db *float64, dy *float32, n, cols, ld int)
// db[j] += float64(dy[i·ld + j]) for rows i = 0..n-1 in order, for the
// columns j < cols (a positive multiple of 8, n > 0): 8 columns at a time
// held in two registers across the rows, so each column's sum is the Go
// loop's.
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-40
	MOVQ db+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ n+16(FP), BX
	MOVQ cols+24(FP), DX
	MOVQ ld+32(FP), R8
	SHLQ $2, R8                // a row of dy in bytes
	SHRQ $3, DX                // blocks of 8 columns

cblock:
	VMOVUPD (DI), Y0           // db[j:j+4]
	VMOVUPD 32(DI), Y1         // db[j+4:j+8]
	MOVQ SI, R9
	MOVQ BX, CX

crow:
	VCVTPS2PD (R9), Y2         // dy[i, j:j+4] as float64
	VCVTPS2PD 16(R9), Y3
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y1, Y1
	ADDQ R8, R9
	DECQ CX
	JNZ  crow

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	ADDQ $64, DI
	ADDQ $32, SI
	DECQ DX
	JNZ  cblock
	VZEROUPPER
	RET
