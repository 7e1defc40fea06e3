#include "textflag.h"

// func dotAVX2(x, y []float32) float32
// Two 8-lane FMA accumulators over 16 values a step, then the first takes
// 8 more if 8 remain; the two are added, the 8 lanes summed by halves (high
// 4 onto low 4, then two horizontal adds), and the last len%8 values go in
// one at a time with scalar FMA. (Four rows at a time, sharing the loads of
// x, measured no faster: a matrix-vector product is bound by reading W.)
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
