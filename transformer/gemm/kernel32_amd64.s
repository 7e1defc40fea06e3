#include "textflag.h"

// The 6×16 float32 AVX2 micro-kernel, kernel_amd64.s's 6×8 float64 one
// with single-precision instructions. Register map (each Y register holds
// 8 floats):
//   Y0..Y11   the tile: row i of C in Y(2i) (columns 0-7) and Y(2i+1) (8-15)
//   Y12, Y13  b[16p : 16p+16], one row of the packed B panel
//   Y14, Y15  a[6p+i] broadcast to all 8 lanes
// Per p: 2 loads of B, 6 broadcasts of A, 12 FMAs (192 multiply-adds).

// STEP32 does one p: the outer product of a[aoff:aoff+6] and
// b[boff:boff+16] (byte offsets from SI and DI) added to the tile.
#define STEP32(aoff, boff) \
	VMOVUPS boff(DI), Y12 \
	VMOVUPS boff+32(DI), Y13 \
	VBROADCASTSS aoff(SI), Y14 \
	VFMADD231PS Y12, Y14, Y0 \
	VFMADD231PS Y13, Y14, Y1 \
	VBROADCASTSS aoff+4(SI), Y15 \
	VFMADD231PS Y12, Y15, Y2 \
	VFMADD231PS Y13, Y15, Y3 \
	VBROADCASTSS aoff+8(SI), Y14 \
	VFMADD231PS Y12, Y14, Y4 \
	VFMADD231PS Y13, Y14, Y5 \
	VBROADCASTSS aoff+12(SI), Y15 \
	VFMADD231PS Y12, Y15, Y6 \
	VFMADD231PS Y13, Y15, Y7 \
	VBROADCASTSS aoff+16(SI), Y14 \
	VFMADD231PS Y12, Y14, Y8 \
	VFMADD231PS Y13, Y14, Y9 \
	VBROADCASTSS aoff+20(SI), Y15 \
	VFMADD231PS Y12, Y15, Y10 \
	VFMADD231PS Y13, Y15, Y11

// ROW32 adds alpha (in Y15) times tile row lo, hi to the 16 floats at DX,
// then moves DX to the next row of C (R8 is ldc in bytes).
#define ROW32(lo, hi) \
	VMOVUPS (DX), Y12 \
	VFMADD231PS lo, Y15, Y12 \
	VMOVUPS Y12, (DX) \
	VMOVUPS 32(DX), Y13 \
	VFMADD231PS hi, Y15, Y13 \
	VMOVUPS Y13, 32(DX) \
	ADDQ R8, DX

// ZERO32 clears the tile.
#define ZERO32 \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4 \
	VXORPS Y5, Y5, Y5 \
	VXORPS Y6, Y6, Y6 \
	VXORPS Y7, Y7, Y7 \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VXORPS Y10, Y10, Y10 \
	VXORPS Y11, Y11, Y11

// STORE32 adds alpha (in Y15) times the tile to the 6 rows of C at DX.
#define STORE32 \
	ROW32(Y0, Y1) \
	ROW32(Y2, Y3) \
	ROW32(Y4, Y5) \
	ROW32(Y6, Y7) \
	ROW32(Y8, Y9) \
	ROW32(Y10, Y11)

// OVER32 writes alpha (in Y15) times tile row lo, hi over the 16 floats
// at DX without reading them, then moves DX to the next row of C.
#define OVER32(lo, hi) \
	VMULPS lo, Y15, Y12 \
	VMOVUPS Y12, (DX) \
	VMULPS hi, Y15, Y13 \
	VMOVUPS Y13, 32(DX) \
	ADDQ R8, DX

// OVERWRITE32 writes alpha (in Y15) times the tile over the 6 rows of C
// at DX (beta 0: the bits of STORE32 on zeros, but for the sign of a zero).
#define OVERWRITE32 \
	OVER32(Y0, Y1) \
	OVER32(Y2, Y3) \
	OVER32(Y4, Y5) \
	OVER32(Y6, Y7) \
	OVER32(Y8, Y9) \
	OVER32(Y10, Y11)

// func kernel6x16AVX2(k int, a, b, c *float32, ldc int, alpha float32, over bool)
TEXT ·kernel6x16AVX2(SB), NOSPLIT, $0-45
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8

	ZERO32

	// Four p per iteration: A advances 4·6·4 = 96 bytes, B 4·16·4 = 256.
	MOVQ CX, R9
	SHRQ $2, R9
	JZ   tail

loop4:
	STEP32(0, 0)
	STEP32(24, 64)
	STEP32(48, 128)
	STEP32(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	DECQ R9
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	STEP32(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop1

store:
	VBROADCASTSS alpha+40(FP), Y15
	CMPB over+44(FP), $0
	JNE  overwrite
	STORE32
	VZEROUPPER
	RET

overwrite:
	OVERWRITE32
	VZEROUPPER
	RET

// The same kernel on operands read in place (kernel6x16Direct): A's
// element (i, p) at a + i·rsA + p·csA and B's row p at b + p·ldb (16
// contiguous floats), so a row-major A or B needs no packing. Per p the
// same loads and FMAs in the same order as STEP32: the same bits.
// Registers besides the tile: SI the A column of p, R11 = SI + 3·rsA,
// R10 rsA, R12 csA, DI the B row of p, R13 ldb (all in bytes).
#define STEPD \
	VMOVUPS (DI), Y12 \
	VMOVUPS 32(DI), Y13 \
	VBROADCASTSS (SI), Y14 \
	VFMADD231PS Y12, Y14, Y0 \
	VFMADD231PS Y13, Y14, Y1 \
	VBROADCASTSS (SI)(R10*1), Y15 \
	VFMADD231PS Y12, Y15, Y2 \
	VFMADD231PS Y13, Y15, Y3 \
	VBROADCASTSS (SI)(R10*2), Y14 \
	VFMADD231PS Y12, Y14, Y4 \
	VFMADD231PS Y13, Y14, Y5 \
	VBROADCASTSS (R11), Y15 \
	VFMADD231PS Y12, Y15, Y6 \
	VFMADD231PS Y13, Y15, Y7 \
	VBROADCASTSS (SI)(R10*4), Y14 \
	VFMADD231PS Y12, Y14, Y8 \
	VFMADD231PS Y13, Y14, Y9 \
	VBROADCASTSS (R11)(R10*2), Y15 \
	VFMADD231PS Y12, Y15, Y10 \
	VFMADD231PS Y13, Y15, Y11 \
	ADDQ R12, SI \
	ADDQ R12, R11 \
	ADDQ R13, DI

// func kernel6x16DirectAVX2(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc int, alpha float32, over bool)
TEXT ·kernel6x16DirectAVX2(SB), NOSPLIT, $0-69
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rsA+16(FP), R10
	SHLQ $2, R10
	MOVQ csA+24(FP), R12
	SHLQ $2, R12
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R13
	SHLQ $2, R13
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	LEAQ (SI)(R10*2), R11
	ADDQ R10, R11

	ZERO32

	MOVQ CX, R9
	SHRQ $2, R9
	JZ   dtail

dloop4:
	STEPD
	STEPD
	STEPD
	STEPD
	DECQ R9
	JNZ  dloop4

dtail:
	ANDQ $3, CX
	JZ   dstore

dloop1:
	STEPD
	DECQ CX
	JNZ  dloop1

dstore:
	VBROADCASTSS alpha+64(FP), Y15
	CMPB over+68(FP), $0
	JNE  doverwrite
	STORE32
	VZEROUPPER
	RET

doverwrite:
	OVERWRITE32
	VZEROUPPER
	RET
