#include "textflag.h"

// The 6×8 AVX2 micro-kernel. Register map (each Y register holds 4 doubles):
//   Y0..Y11   the tile: row i of C in Y(2i) (columns 0-3) and Y(2i+1) (4-7)
//   Y12, Y13  b[8p : 8p+8], one row of the packed B panel
//   Y14, Y15  a[6p+i] broadcast to all 4 lanes
// Per p: 2 loads of B, 6 broadcasts of A, 12 FMAs (96 multiply-adds).

// STEP does one p: the outer product of a[aoff:aoff+6] and b[boff:boff+8]
// (byte offsets from SI and DI) added to the tile.
#define STEP(aoff, boff) \
	VMOVUPD boff(DI), Y12 \
	VMOVUPD boff+32(DI), Y13 \
	VBROADCASTSD aoff(SI), Y14 \
	VFMADD231PD Y12, Y14, Y0 \
	VFMADD231PD Y13, Y14, Y1 \
	VBROADCASTSD aoff+8(SI), Y15 \
	VFMADD231PD Y12, Y15, Y2 \
	VFMADD231PD Y13, Y15, Y3 \
	VBROADCASTSD aoff+16(SI), Y14 \
	VFMADD231PD Y12, Y14, Y4 \
	VFMADD231PD Y13, Y14, Y5 \
	VBROADCASTSD aoff+24(SI), Y15 \
	VFMADD231PD Y12, Y15, Y6 \
	VFMADD231PD Y13, Y15, Y7 \
	VBROADCASTSD aoff+32(SI), Y14 \
	VFMADD231PD Y12, Y14, Y8 \
	VFMADD231PD Y13, Y14, Y9 \
	VBROADCASTSD aoff+40(SI), Y15 \
	VFMADD231PD Y12, Y15, Y10 \
	VFMADD231PD Y13, Y15, Y11

// ROW adds alpha (in Y15) times tile row lo, hi to the 8 doubles at DX,
// then moves DX to the next row of C (R8 is ldc in bytes).
#define ROW(lo, hi) \
	VMOVUPD (DX), Y12 \
	VFMADD231PD lo, Y15, Y12 \
	VMOVUPD Y12, (DX) \
	VMOVUPD 32(DX), Y13 \
	VFMADD231PD hi, Y15, Y13 \
	VMOVUPD Y13, 32(DX) \
	ADDQ R8, DX

// func kernel6x8AVX2(k int, a, b, c *float64, ldc int, alpha float64)
// OVER writes alpha (in Y15) times tile row lo, hi over the 8 doubles at
// DX without reading them (beta 0), then moves DX to the next row of C.
#define OVER(lo, hi) \
	VMULPD lo, Y15, Y12 \
	VMOVUPD Y12, (DX) \
	VMULPD hi, Y15, Y13 \
	VMOVUPD Y13, 32(DX) \
	ADDQ R8, DX

TEXT ·kernel6x8AVX2(SB), NOSPLIT, $0-49
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8

	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

	// Four p per iteration: A advances 4·6·8 = 192 bytes, B 4·8·8 = 256.
	MOVQ CX, R9
	SHRQ $2, R9
	JZ   tail

loop4:
	STEP(0, 0)
	STEP(48, 64)
	STEP(96, 128)
	STEP(144, 192)
	ADDQ $192, SI
	ADDQ $256, DI
	DECQ R9
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	STEP(0, 0)
	ADDQ $48, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop1

store:
	VBROADCASTSD alpha+40(FP), Y15
	CMPB over+48(FP), $0
	JNE  overwrite
	ROW(Y0, Y1)
	ROW(Y2, Y3)
	ROW(Y4, Y5)
	ROW(Y6, Y7)
	ROW(Y8, Y9)
	ROW(Y10, Y11)
	VZEROUPPER
	RET

overwrite:
	OVER(Y0, Y1)
	OVER(Y2, Y3)
	OVER(Y4, Y5)
	OVER(Y6, Y7)
	OVER(Y8, Y9)
	OVER(Y10, Y11)
	VZEROUPPER
	RET
