#include "textflag.h"

// The NEON micro-kernels: the AVX2 kernels (kernel_amd64.s, 6×8 doubles;
// kernel32_amd64.s, 6×16 floats) with each Y register of 256 bits as two
// V registers of 128, the same FMAs on each element of C in the same
// order, so the same bits. Both kernels share one register map; only the
// lanes differ (arr: D2, two doubles, or S4, four floats; size: the bytes
// of one value):
//   V0..V23   the tile: row i of C in V(4i)..V(4i+3), 64 bytes of a row
//   V24..V27  one row of the packed B panel (8 doubles or 16 floats)
//   V28..V31  a[6p+i] broadcast to every lane
// Per p: one 64-byte load of B, 6 broadcast loads of A, 24 FMAs. NEON has
// 32 registers to AVX2's 16, so the whole tile fits as on amd64.

// Go's arm64 assembler has no vector FMUL; these are its encodings for
// two doubles and four floats (checked with GNU as): Vd = Vn·Vm.
#define FMUL2D(m, n, d) WORD $(0x6E60DC00 | (m)<<16 | (n)<<5 | (d))
#define FMUL4S(m, n, d) WORD $(0x6E20DC00 | (m)<<16 | (n)<<5 | (d))

// ZERO clears the tile.
#define ZERO \
	VEOR V0.B16, V0.B16, V0.B16 \
	VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16 \
	VEOR V3.B16, V3.B16, V3.B16 \
	VEOR V4.B16, V4.B16, V4.B16 \
	VEOR V5.B16, V5.B16, V5.B16 \
	VEOR V6.B16, V6.B16, V6.B16 \
	VEOR V7.B16, V7.B16, V7.B16 \
	VEOR V8.B16, V8.B16, V8.B16 \
	VEOR V9.B16, V9.B16, V9.B16 \
	VEOR V10.B16, V10.B16, V10.B16 \
	VEOR V11.B16, V11.B16, V11.B16 \
	VEOR V12.B16, V12.B16, V12.B16 \
	VEOR V13.B16, V13.B16, V13.B16 \
	VEOR V14.B16, V14.B16, V14.B16 \
	VEOR V15.B16, V15.B16, V15.B16 \
	VEOR V16.B16, V16.B16, V16.B16 \
	VEOR V17.B16, V17.B16, V17.B16 \
	VEOR V18.B16, V18.B16, V18.B16 \
	VEOR V19.B16, V19.B16, V19.B16 \
	VEOR V20.B16, V20.B16, V20.B16 \
	VEOR V21.B16, V21.B16, V21.B16 \
	VEOR V22.B16, V22.B16, V22.B16 \
	VEOR V23.B16, V23.B16, V23.B16

// FMA4 adds a (a V register of broadcast A) times the B row V24..V27 to
// tile row V(r)..V(r+3).
#define FMA4(arr, a, r0, r1, r2, r3) \
	VFMLA V24.arr, a.arr, r0.arr \
	VFMLA V25.arr, a.arr, r1.arr \
	VFMLA V26.arr, a.arr, r2.arr \
	VFMLA V27.arr, a.arr, r3.arr

// STEP does one p: the outer product of the next 6 values of A (R1) and
// the next row of B (R2) added to the tile; both pointers move on.
#define STEP(arr, size) \
	VLD1.P 64(R2), [V24.arr, V25.arr, V26.arr, V27.arr] \
	VLD1R.P size(R1), [V28.arr] \
	FMA4(arr, V28, V0, V1, V2, V3) \
	VLD1R.P size(R1), [V29.arr] \
	FMA4(arr, V29, V4, V5, V6, V7) \
	VLD1R.P size(R1), [V30.arr] \
	FMA4(arr, V30, V8, V9, V10, V11) \
	VLD1R.P size(R1), [V31.arr] \
	FMA4(arr, V31, V12, V13, V14, V15) \
	VLD1R.P size(R1), [V28.arr] \
	FMA4(arr, V28, V16, V17, V18, V19) \
	VLD1R.P size(R1), [V29.arr] \
	FMA4(arr, V29, V20, V21, V22, V23)

// ROW adds alpha (in V28) times tile row V(r)..V(r+3) to the row of C at
// R3, C += alpha·acc with one rounding (as VFMADD231 on amd64), then moves
// R3 to the next row of C (R4 is ldc in bytes).
#define ROW(arr, r0, r1, r2, r3) \
	VLD1 (R3), [V24.arr, V25.arr, V26.arr, V27.arr] \
	VFMLA r0.arr, V28.arr, V24.arr \
	VFMLA r1.arr, V28.arr, V25.arr \
	VFMLA r2.arr, V28.arr, V26.arr \
	VFMLA r3.arr, V28.arr, V27.arr \
	VST1 [V24.arr, V25.arr, V26.arr, V27.arr], (R3) \
	ADD R4, R3

// STORE adds alpha (in V28) times the tile to the 6 rows of C at R3.
#define STORE(arr) \
	ROW(arr, V0, V1, V2, V3) \
	ROW(arr, V4, V5, V6, V7) \
	ROW(arr, V8, V9, V10, V11) \
	ROW(arr, V12, V13, V14, V15) \
	ROW(arr, V16, V17, V18, V19) \
	ROW(arr, V20, V21, V22, V23)

// OVER writes alpha (in V28) times tile row V(r)..V(r+3) over the row of
// C at R3 without reading it (as VMULP on amd64), then moves R3 on; fmul
// is FMUL2D or FMUL4S, r the tile row's first register number.
#define OVER(fmul, arr, r) \
	fmul(r, 28, 24) \
	fmul(r+1, 28, 25) \
	fmul(r+2, 28, 26) \
	fmul(r+3, 28, 27) \
	VST1 [V24.arr, V25.arr, V26.arr, V27.arr], (R3) \
	ADD R4, R3

// OVERWRITE writes alpha (in V28) times the tile over the 6 rows of C at R3.
#define OVERWRITE(fmul, arr) \
	OVER(fmul, arr, 0) \
	OVER(fmul, arr, 4) \
	OVER(fmul, arr, 8) \
	OVER(fmul, arr, 12) \
	OVER(fmul, arr, 16) \
	OVER(fmul, arr, 20)

// MULTIPLY sums the k (R0) outer products into the zeroed tile, two p an
// iteration and then the odd one; it ends at the label store.
#define MULTIPLY(arr, size) \
	ZERO \
	LSR  $1, R0, R5 \
	CBZ  R5, tail \
loop2: \
	STEP(arr, size) \
	STEP(arr, size) \
	SUB  $1, R5 \
	CBNZ R5, loop2 \
tail: \
	TBZ  $0, R0, store \
	STEP(arr, size)

// func kernel6x8NEON(k int, a, b, c *float64, ldc int, alpha float64, over bool)
TEXT ·kernel6x8NEON(SB), NOSPLIT, $0-49
	MOVD k+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD c+24(FP), R3
	MOVD ldc+32(FP), R4
	LSL  $3, R4
	MULTIPLY(D2, 8)

store:
	FMOVD alpha+40(FP), F28
	VDUP  V28.D[0], V28.D2
	MOVBU over+48(FP), R6
	CBNZ  R6, overwrite
	STORE(D2)
	RET

overwrite:
	OVERWRITE(FMUL2D, D2)
	RET

// func kernel6x16NEON(k int, a, b, c *float32, ldc int, alpha float32, over bool)
TEXT ·kernel6x16NEON(SB), NOSPLIT, $0-45
	MOVD k+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD c+24(FP), R3
	MOVD ldc+32(FP), R4
	LSL  $2, R4
	MULTIPLY(S4, 4)

store:
	FMOVS alpha+40(FP), F28
	VDUP  V28.S[0], V28.S4
	MOVBU over+44(FP), R6
	CBNZ  R6, overwrite
	STORE(S4)
	RET

overwrite:
	OVERWRITE(FMUL4S, S4)
	RET
