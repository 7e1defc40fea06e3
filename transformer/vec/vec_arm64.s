#include "textflag.h"

// The NEON kernels on arm64 (vec_asm.go declares them): vec_amd64.s's
// AVX2 kernels, operation for operation, with each 8-lane Y register of
// those as two 4-lane V registers here, so the sums and their bits are
// the same on both.

// Go's arm64 assembler has no vector FADD or FADDP; these emit their
// encodings (checked with GNU as). FADD4S(m, n, d): Vd = Vn + Vm, four
// floats; FADDP4S(m, n, d): Vd = [n0+n1, n2+n3, m0+m1, m2+m3], which is
// what VHADDPS does on amd64.
#define FADD4S(m, n, d) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))
#define FADDP4S(m, n, d) WORD $(0x6E20D400 | (m)<<16 | (n)<<5 | (d))

// REDUCE sums one row's 16 lanes in V(r)..V(r+3) into lane 0 of V(r)
// (F(r)), as vec_amd64.s's dotAsm does: the two 8-lane halves added (V(r) +
// V(r+2) and V(r+1) + V(r+3): lanes 0-7 of Y0 plus those of Y1), the high
// 4 lanes onto the low 4, then two pairwise adds.
#define REDUCE(r) \
	FADD4S(r+2, r, r) \
	FADD4S(r+3, r+1, r+1) \
	FADD4S(r+1, r, r) \
	FADDP4S(r, r, r) \
	FADDP4S(r, r, r)

// ZERO4 clears four V registers.
#define ZERO4(a, b, c, d) \
	VEOR a.B16, a.B16, a.B16 \
	VEOR b.B16, b.B16, b.B16 \
	VEOR c.B16, c.B16, c.B16 \
	VEOR d.B16, d.B16, d.B16

// DOT16 loads the next 16 floats of a row (at p, which moves on) into
// w0..w3 and adds their products with the 16 of x in V16..V19 to the
// row's accumulators c0..c3.
#define DOT16(p, w0, w1, w2, w3, c0, c1, c2, c3) \
	VLD1.P 64(p), [w0.S4, w1.S4, w2.S4, w3.S4] \
	VFMLA w0.S4, V16.S4, c0.S4 \
	VFMLA w1.S4, V17.S4, c1.S4 \
	VFMLA w2.S4, V18.S4, c2.S4 \
	VFMLA w3.S4, V19.S4, c3.S4

// AXPY16 loads the next 16 floats of a row (at p, which moves on) into
// w0..w3 and adds them times a (broadcast) to the 16 of y in V4..V7.
#define AXPY16(p, a, w0, w1, w2, w3) \
	VLD1.P 64(p), [w0.S4, w1.S4, w2.S4, w3.S4] \
	VFMLA w0.S4, a.S4, V4.S4 \
	VFMLA w1.S4, a.S4, V5.S4 \
	VFMLA w2.S4, a.S4, V6.S4 \
	VFMLA w3.S4, a.S4, V7.S4

// func dotAsm(x, y []float32) float32
// Accumulators V0..V3 (lanes 0-15) over 16 values a step, then V0, V1 take
// 8 more if 8 remain, REDUCE, and the last len%8 values one at a time with
// scalar FMA.
TEXT ·dotAsm(SB), NOSPLIT, $0-52
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R2
	MOVD y_base+24(FP), R1
	ZERO4(V0, V1, V2, V3)

loop16:
	CMP $16, R2
	BLT loop8
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	DOT16(R1, V4, V5, V6, V7, V0, V1, V2, V3) // V0 += x[0:4]·y[0:4], ...
	SUB $16, R2
	B loop16

loop8:
	CMP $8, R2
	BLT reduce
	VLD1.P 32(R0), [V4.S4, V5.S4]
	VLD1.P 32(R1), [V16.S4, V17.S4]
	VFMLA V16.S4, V4.S4, V0.S4
	VFMLA V17.S4, V5.S4, V1.S4
	SUB $8, R2

reduce:
	REDUCE(0)

tail:
	CBZ R2, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R1), F5
	FMADDS F5, F0, F4, F0 // F0 += x[i]·y[i]
	SUB $1, R2
	B tail

done:
	FMOVS F0, ret+48(FP)
	RET

// func axpyAsm(a float32, x, y []float32)
// y[i] = fma(a, x[i], y[i]): 16 values a step, then 4, then one at a time.
TEXT ·axpyAsm(SB), NOSPLIT, $0-56
	FMOVS a+0(FP), F0
	VDUP V0.S[0], V0.S4
	MOVD x_base+8(FP), R0
	MOVD x_len+16(FP), R2
	MOVD y_base+32(FP), R1

aloop16:
	CMP $16, R2
	BLT aloop4
	VLD1 (R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	AXPY16(R0, V0, V16, V17, V18, V19) // y[0:4] += a·x[0:4], ...
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)
	SUB $16, R2
	B aloop16

aloop4:
	CMP $4, R2
	BLT atail
	VLD1 (R1), [V4.S4]
	VLD1.P 16(R0), [V16.S4]
	VFMLA V16.S4, V0.S4, V4.S4
	VST1.P [V4.S4], 16(R1)
	SUB $4, R2
	B aloop4

atail:
	CBZ R2, adone
	FMOVS (R1), F4
	FMOVS.P 4(R0), F5
	FMADDS F5, F4, F0, F4 // y[i] += a·x[i]
	FMOVS.P F4, 4(R1)
	SUB $1, R2
	B atail

adone:
	RET

// func dot4Asm(y *float32, w *float32, x *float32, n, stride int)
// y[r] = dotAsm(w[r·stride:][:n], x) for r < 4, each row's sum in dotAsm's
// order, four rows sharing each load of x. Row r's accumulators are
// V(4r)..V(4r+3); x is in V16..V19, the rows' values in V20..V31.
// Rows: R1, R5, R6, R7.
TEXT ·dot4Asm(SB), NOSPLIT, $0-40
	MOVD y+0(FP), R0
	MOVD w+8(FP), R1
	MOVD x+16(FP), R2
	MOVD n+24(FP), R3
	MOVD stride+32(FP), R4
	LSL $2, R4
	ADD R4, R1, R5
	ADD R4, R5, R6
	ADD R4, R6, R7
	ZERO4(V0, V1, V2, V3)
	ZERO4(V4, V5, V6, V7)
	ZERO4(V8, V9, V10, V11)
	ZERO4(V12, V13, V14, V15)

rloop16:
	CMP $16, R3
	BLT rloop8
	VLD1.P 64(R2), [V16.S4, V17.S4, V18.S4, V19.S4]
	DOT16(R1, V20, V21, V22, V23, V0, V1, V2, V3)
	DOT16(R5, V24, V25, V26, V27, V4, V5, V6, V7)
	DOT16(R6, V28, V29, V30, V31, V8, V9, V10, V11)
	DOT16(R7, V20, V21, V22, V23, V12, V13, V14, V15)
	SUB $16, R3
	B rloop16

rloop8:
	CMP $8, R3
	BLT rreduce
	VLD1.P 32(R2), [V16.S4, V17.S4]
	VLD1.P 32(R1), [V20.S4, V21.S4]
	VLD1.P 32(R5), [V22.S4, V23.S4]
	VLD1.P 32(R6), [V24.S4, V25.S4]
	VLD1.P 32(R7), [V26.S4, V27.S4]
	VFMLA V20.S4, V16.S4, V0.S4
	VFMLA V21.S4, V17.S4, V1.S4
	VFMLA V22.S4, V16.S4, V4.S4
	VFMLA V23.S4, V17.S4, V5.S4
	VFMLA V24.S4, V16.S4, V8.S4
	VFMLA V25.S4, V17.S4, V9.S4
	VFMLA V26.S4, V16.S4, V12.S4
	VFMLA V27.S4, V17.S4, V13.S4
	SUB $8, R3

rreduce:
	REDUCE(0)
	REDUCE(4)
	REDUCE(8)
	REDUCE(12)

rtail:
	CBZ R3, rdone
	FMOVS.P 4(R2), F16
	FMOVS.P 4(R1), F20
	FMOVS.P 4(R5), F21
	FMOVS.P 4(R6), F22
	FMOVS.P 4(R7), F23
	FMADDS F20, F0, F16, F0 // row 0 += x[i]·w0[i]
	FMADDS F21, F4, F16, F4
	FMADDS F22, F8, F16, F8
	FMADDS F23, F12, F16, F12
	SUB $1, R3
	B rtail

rdone:
	FMOVS F0, 0(R0)
	FMOVS F4, 4(R0)
	FMOVS F8, 8(R0)
	FMOVS F12, 12(R0)
	RET

// func axpy4Asm(y *float32, n int, a *float32, w *float32, stride int)
// y[i] = fma(a[3], w3[i], fma(a[2], w2[i], fma(a[1], w1[i], fma(a[0], w0[i], y[i]))))
// for i < n, with wr = w[r·stride:]: four axpyAsm calls in a row, loading
// and storing y once. a[r] is broadcast in V(r); rows: R3, R5, R6, R7.
TEXT ·axpy4Asm(SB), NOSPLIT, $0-40
	MOVD y+0(FP), R0
	MOVD n+8(FP), R1
	MOVD a+16(FP), R2
	MOVD w+24(FP), R3
	MOVD stride+32(FP), R4
	LSL $2, R4
	ADD R4, R3, R5
	ADD R4, R5, R6
	ADD R4, R6, R7
	VLD1R.P 4(R2), [V0.S4]
	VLD1R.P 4(R2), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R (R2), [V3.S4]

xloop16:
	CMP $16, R1
	BLT xloop4
	VLD1 (R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	AXPY16(R3, V0, V16, V17, V18, V19)
	AXPY16(R5, V1, V20, V21, V22, V23)
	AXPY16(R6, V2, V24, V25, V26, V27)
	AXPY16(R7, V3, V28, V29, V30, V31)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	SUB $16, R1
	B xloop16

xloop4:
	CMP $4, R1
	BLT xtail
	VLD1 (R0), [V4.S4]
	VLD1.P 16(R3), [V16.S4]
	VLD1.P 16(R5), [V17.S4]
	VLD1.P 16(R6), [V18.S4]
	VLD1.P 16(R7), [V19.S4]
	VFMLA V16.S4, V0.S4, V4.S4
	VFMLA V17.S4, V1.S4, V4.S4
	VFMLA V18.S4, V2.S4, V4.S4
	VFMLA V19.S4, V3.S4, V4.S4
	VST1.P [V4.S4], 16(R0)
	SUB $4, R1
	B xloop4

xtail:
	CBZ R1, xdone
	FMOVS (R0), F4
	FMOVS.P 4(R3), F16
	FMOVS.P 4(R5), F17
	FMOVS.P 4(R6), F18
	FMOVS.P 4(R7), F19
	FMADDS F16, F4, F0, F4 // y[i] += a[0]·w0[i]
	FMADDS F17, F4, F1, F4
	FMADDS F18, F4, F2, F4
	FMADDS F19, F4, F3, F4
	FMOVS.P F4, 4(R0)
	SUB $1, R1
	B xtail

xdone:
	RET
