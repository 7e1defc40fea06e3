#include "textflag.h"

// The 6×32 float32 AVX-512 micro-kernel: kernel32_amd64.s's 6×16 one with
// 16-float Z registers, so each instruction does twice the multiply-adds.
// Register map:
//   Z0..Z11   the tile: row i of C in Z(2i) (columns 0-15) and Z(2i+1) (16-31)
//   Z12, Z13  b[32p : 32p+32], one row of the packed B panel
//   Z14, Z15  a[6p+i] broadcast to all 16 lanes
// Per p: 2 loads of B, 6 broadcasts of A, 12 FMAs (384 multiply-adds).
// Each element of C gets the same FMAs in the same order as in the AVX2
// kernel (one chain over p, then alpha), so the two give the same bits.

// STEP512 does one p: the outer product of a[aoff:aoff+6] and
// b[boff:boff+32] (byte offsets from SI and DI) added to the tile.
#define STEP512(aoff, boff) \
	VMOVUPS boff(DI), Z12 \
	VMOVUPS boff+64(DI), Z13 \
	VBROADCASTSS aoff(SI), Z14 \
	VFMADD231PS Z12, Z14, Z0 \
	VFMADD231PS Z13, Z14, Z1 \
	VBROADCASTSS aoff+4(SI), Z15 \
	VFMADD231PS Z12, Z15, Z2 \
	VFMADD231PS Z13, Z15, Z3 \
	VBROADCASTSS aoff+8(SI), Z14 \
	VFMADD231PS Z12, Z14, Z4 \
	VFMADD231PS Z13, Z14, Z5 \
	VBROADCASTSS aoff+12(SI), Z15 \
	VFMADD231PS Z12, Z15, Z6 \
	VFMADD231PS Z13, Z15, Z7 \
	VBROADCASTSS aoff+16(SI), Z14 \
	VFMADD231PS Z12, Z14, Z8 \
	VFMADD231PS Z13, Z14, Z9 \
	VBROADCASTSS aoff+20(SI), Z15 \
	VFMADD231PS Z12, Z15, Z10 \
	VFMADD231PS Z13, Z15, Z11

// ROW512 adds alpha (in Z15) times tile row lo, hi to the 32 floats at DX,
// then moves DX to the next row of C (R8 is ldc in bytes).
#define ROW512(lo, hi) \
	VMOVUPS (DX), Z12 \
	VFMADD231PS lo, Z15, Z12 \
	VMOVUPS Z12, (DX) \
	VMOVUPS 64(DX), Z13 \
	VFMADD231PS hi, Z15, Z13 \
	VMOVUPS Z13, 64(DX) \
	ADDQ R8, DX

// ZERO512 clears the tile.
#define ZERO512 \
	VPXORD Z0, Z0, Z0 \
	VPXORD Z1, Z1, Z1 \
	VPXORD Z2, Z2, Z2 \
	VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8 \
	VPXORD Z9, Z9, Z9 \
	VPXORD Z10, Z10, Z10 \
	VPXORD Z11, Z11, Z11

// STORE512 adds alpha (in Z15) times the tile to the 6 rows of C at DX.
#define STORE512 \
	ROW512(Z0, Z1) \
	ROW512(Z2, Z3) \
	ROW512(Z4, Z5) \
	ROW512(Z6, Z7) \
	ROW512(Z8, Z9) \
	ROW512(Z10, Z11)

// OVER512 writes alpha (in Z15) times tile row lo, hi over the 32 floats
// at DX without reading them, then moves DX to the next row of C.
#define OVER512(lo, hi) \
	VMULPS lo, Z15, Z12 \
	VMOVUPS Z12, (DX) \
	VMULPS hi, Z15, Z13 \
	VMOVUPS Z13, 64(DX) \
	ADDQ R8, DX

// OVERWRITE512 writes alpha (in Z15) times the tile over the 6 rows of C.
#define OVERWRITE512 \
	OVER512(Z0, Z1) \
	OVER512(Z2, Z3) \
	OVER512(Z4, Z5) \
	OVER512(Z6, Z7) \
	OVER512(Z8, Z9) \
	OVER512(Z10, Z11)

// func kernel6x32AVX512(k int, a, b, c *float32, ldc int, alpha float32, over bool)
TEXT ·kernel6x32AVX512(SB), NOSPLIT, $0-45
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8

	ZERO512

	// Four p per iteration: A advances 4·6·4 = 96 bytes, B 4·32·4 = 512.
	MOVQ CX, R9
	SHRQ $2, R9
	JZ   tail

loop4:
	STEP512(0, 0)
	STEP512(24, 128)
	STEP512(48, 256)
	STEP512(72, 384)
	ADDQ $96, SI
	ADDQ $512, DI
	DECQ R9
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	STEP512(0, 0)
	ADDQ $24, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  loop1

store:
	VBROADCASTSS alpha+40(FP), Z15
	CMPB over+44(FP), $0
	JNE  overwrite
	STORE512
	VZEROUPPER
	RET

overwrite:
	OVERWRITE512
	VZEROUPPER
	RET

// The same kernel on operands read in place (kernel6x32Direct), as
// kernel6x16DirectAVX2: A's element (i, p) at a + i·rsA + p·csA, B's row p
// at b + p·ldb (32 contiguous floats). Registers besides the tile: SI the
// A column of p, R11 = SI + 3·rsA, R10 rsA, R12 csA, DI the B row of p,
// R13 ldb (all in bytes).
#define STEPD512 \
	VMOVUPS (DI), Z12 \
	VMOVUPS 64(DI), Z13 \
	VBROADCASTSS (SI), Z14 \
	VFMADD231PS Z12, Z14, Z0 \
	VFMADD231PS Z13, Z14, Z1 \
	VBROADCASTSS (SI)(R10*1), Z15 \
	VFMADD231PS Z12, Z15, Z2 \
	VFMADD231PS Z13, Z15, Z3 \
	VBROADCASTSS (SI)(R10*2), Z14 \
	VFMADD231PS Z12, Z14, Z4 \
	VFMADD231PS Z13, Z14, Z5 \
	VBROADCASTSS (R11), Z15 \
	VFMADD231PS Z12, Z15, Z6 \
	VFMADD231PS Z13, Z15, Z7 \
	VBROADCASTSS (SI)(R10*4), Z14 \
	VFMADD231PS Z12, Z14, Z8 \
	VFMADD231PS Z13, Z14, Z9 \
	VBROADCASTSS (R11)(R10*2), Z15 \
	VFMADD231PS Z12, Z15, Z10 \
	VFMADD231PS Z13, Z15, Z11 \
	ADDQ R12, SI \
	ADDQ R12, R11 \
	ADDQ R13, DI

// func kernel6x32DirectAVX512(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc int, alpha float32, over bool)
TEXT ·kernel6x32DirectAVX512(SB), NOSPLIT, $0-69
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

	ZERO512

	MOVQ CX, R9
	SHRQ $2, R9
	JZ   dtail

dloop4:
	STEPD512
	STEPD512
	STEPD512
	STEPD512
	DECQ R9
	JNZ  dloop4

dtail:
	ANDQ $3, CX
	JZ   dstore

dloop1:
	STEPD512
	DECQ CX
	JNZ  dloop1

dstore:
	VBROADCASTSS alpha+64(FP), Z15
	CMPB over+68(FP), $0
	JNE  doverwrite
	STORE512
	VZEROUPPER
	RET

doverwrite:
	OVERWRITE512
	VZEROUPPER
	RET
