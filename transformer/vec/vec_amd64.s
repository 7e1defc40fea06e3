#include "textflag.h"

// The dot product of one row, as dotAVX2 and dot4AVX2 both compute it
// (so a row gives the same bits whichever computes it): two 8-lane FMA
// accumulators over 16 values a step, then the first takes 8 more while
// 8 remain; the two are added, the 8 lanes summed by halves (high 4 onto
// low 4, then two horizontal adds), and the last len%8 values go in one at
// a time with scalar FMA.

// func dotAVX2(x, y []float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1

loop16:
	CMPQ CX, $16
	JL   loop8
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VFMADD231PS (DI), Y4, Y0   // Y0 += x[0:8]·y[0:8]
	VFMADD231PS 32(DI), Y5, Y1 // Y1 += x[8:16]·y[8:16]
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  loop16

loop8:
	CMPQ CX, $8
	JL   reduce
	VMOVUPS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX

reduce:
	VADDPS Y1, Y0, Y0          // 8 lanes
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0          // 4 lanes
	VHADDPS X0, X0, X0         // 2
	VHADDPS X0, X0, X0         // 1: the sum in X0[0]

tail:
	TESTQ CX, CX
	JE    done
	VMOVSS (SI), X1
	VFMADD231SS (DI), X1, X0   // X0 += x[i]·y[i]
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP  tail

done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func dot4AVX2(w []float32, x []float32, y []float32)
// y[r] = dot(w[r·n : (r+1)·n], x) for the four rows r = 0..3, n = len(x):
// each row exactly as dotAVX2 computes it, the four side by side so that
// each load of x serves four rows and four streams of W are read at once.
// Rows r: accumulators Y(2r), Y(2r+1); pointers DI, R8, R9, R10.
TEXT ·dot4AVX2(SB), NOSPLIT, $0-72
	MOVQ w_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ y_base+48(FP), DX
	MOVQ CX, BX
	SHLQ $2, BX                // row stride in bytes
	LEAQ (DI)(BX*1), R8
	LEAQ (R8)(BX*1), R9
	LEAQ (R9)(BX*1), R10
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

q16:
	CMPQ CX, $16
	JL   q8
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VFMADD231PS (DI), Y8, Y0
	VFMADD231PS 32(DI), Y9, Y1
	VFMADD231PS (R8), Y8, Y2
	VFMADD231PS 32(R8), Y9, Y3
	VFMADD231PS (R9), Y8, Y4
	VFMADD231PS 32(R9), Y9, Y5
	VFMADD231PS (R10), Y8, Y6
	VFMADD231PS 32(R10), Y9, Y7
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	SUBQ $16, CX
	JMP  q16

q8:
	CMPQ CX, $8
	JL   qreduce
	VMOVUPS (SI), Y8
	VFMADD231PS (DI), Y8, Y0
	VFMADD231PS (R8), Y8, Y2
	VFMADD231PS (R9), Y8, Y4
	VFMADD231PS (R10), Y8, Y6
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	SUBQ $8, CX

qreduce:
	VADDPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VADDPS Y3, Y2, Y2
	VEXTRACTF128 $1, Y2, X3
	VADDPS X3, X2, X2
	VHADDPS X2, X2, X2
	VHADDPS X2, X2, X2
	VADDPS Y5, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VADDPS X5, X4, X4
	VHADDPS X4, X4, X4
	VHADDPS X4, X4, X4
	VADDPS Y7, Y6, Y6
	VEXTRACTF128 $1, Y6, X7
	VADDPS X7, X6, X6
	VHADDPS X6, X6, X6
	VHADDPS X6, X6, X6

qtail:
	TESTQ CX, CX
	JE    qdone
	VMOVSS (SI), X8
	VFMADD231SS (DI), X8, X0
	VFMADD231SS (R8), X8, X2
	VFMADD231SS (R9), X8, X4
	VFMADD231SS (R10), X8, X6
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	DECQ CX
	JMP  qtail

qdone:
	VZEROUPPER
	MOVSS X0, (DX)
	MOVSS X2, 4(DX)
	MOVSS X4, 8(DX)
	MOVSS X6, 12(DX)
	RET

// func axpyAVX2(a float32, x, y []float32)
// y[i] = fma(a, x[i], y[i]): 32 values a step, then 8, then one at a time.
// Every value gets the same single rounding whichever path takes it.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSS a+0(FP), Y0
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DI

aloop32:
	CMPQ CX, $32
	JL   aloop8
	VMOVUPS (DI), Y1
	VMOVUPS 32(DI), Y2
	VMOVUPS 64(DI), Y3
	VMOVUPS 96(DI), Y4
	VFMADD231PS (SI), Y0, Y1   // y[0:8] += a·x[0:8]
	VFMADD231PS 32(SI), Y0, Y2
	VFMADD231PS 64(SI), Y0, Y3
	VFMADD231PS 96(SI), Y0, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  aloop32

aloop8:
	CMPQ CX, $8
	JL   atail
	VMOVUPS (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  aloop8

atail:
	TESTQ CX, CX
	JE    adone
	VMOVSS (DI), X1
	VFMADD231SS (SI), X0, X1
	VMOVSS X1, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP  atail

adone:
	VZEROUPPER
	RET
