#include "textflag.h"

// The AVX2+FMA kernels on amd64 (vec_asm.go declares them).

// func dotAsm(x, y []float32) float32
// Two 8-lane FMA accumulators over 16 values a step, then the first takes
// 8 more if 8 remain; the two are added, the 8 lanes summed by halves (high
// 4 onto low 4, then two horizontal adds), and the last len%8 values go in
// one at a time with scalar FMA. (Four rows at a time, sharing the loads of
// x, measured no faster: a matrix-vector product is bound by reading W.)
TEXT ·dotAsm(SB), NOSPLIT, $0-52
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

// func axpyAsm(a float32, x, y []float32)
// y[i] = fma(a, x[i], y[i]): 32 values a step, then 8, then one at a time.
// Every value gets the same single rounding whichever path takes it.
TEXT ·axpyAsm(SB), NOSPLIT, $0-56
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

// REDUCE4 sums one row's two accumulators a, b (Y registers) into the low
// lane of xa as dotAsm's reduce does: a+b, high 4 lanes onto low 4, two
// horizontal adds (xb, the X form of b, is scratch).
#define REDUCE4(a, b, xa, xb) \
	VADDPS b, a, a \
	VEXTRACTF128 $1, a, xb \
	VADDPS xb, xa, xa \
	VHADDPS xa, xa, xa \
	VHADDPS xa, xa, xa

// func dot4Asm(y *float32, w *float32, x *float32, n, stride int)
// y[r] = dotAsm(w[r·stride : r·stride+n], x) for four rows r < 4, each
// row's sum in exactly dotAsm's order (two accumulators, then the same
// reduce and scalar tail), so the bits are the same as four calls. Four
// rows share each load of x and keep eight independent FMA chains in
// flight where one row keeps two: a lone dot waits on the FMA latency
// when its row comes from cache rather than memory.
// Rows: DI, DI+BX, R12, R12+BX (BX the row stride in bytes).
TEXT ·dot4Asm(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DX
	MOVQ w+8(FP), DI
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ stride+32(FP), BX
	SHLQ $2, BX
	LEAQ (DI)(BX*2), R12
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

rloop16:
	CMPQ CX, $16
	JL   rloop8
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VFMADD231PS (DI), Y8, Y0
	VFMADD231PS 32(DI), Y9, Y1
	VFMADD231PS (DI)(BX*1), Y8, Y2
	VFMADD231PS 32(DI)(BX*1), Y9, Y3
	VFMADD231PS (R12), Y8, Y4
	VFMADD231PS 32(R12), Y9, Y5
	VFMADD231PS (R12)(BX*1), Y8, Y6
	VFMADD231PS 32(R12)(BX*1), Y9, Y7
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R12
	SUBQ $16, CX
	JMP  rloop16

rloop8:
	CMPQ CX, $8
	JL   rreduce
	VMOVUPS (SI), Y8
	VFMADD231PS (DI), Y8, Y0
	VFMADD231PS (DI)(BX*1), Y8, Y2
	VFMADD231PS (R12), Y8, Y4
	VFMADD231PS (R12)(BX*1), Y8, Y6
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R12
	SUBQ $8, CX

rreduce:
	REDUCE4(Y0, Y1, X0, X1)
	REDUCE4(Y2, Y3, X2, X3)
	REDUCE4(Y4, Y5, X4, X5)
	REDUCE4(Y6, Y7, X6, X7)

rtail:
	TESTQ CX, CX
	JE    rdone
	VMOVSS (SI), X8
	VFMADD231SS (DI), X8, X0
	VFMADD231SS (DI)(BX*1), X8, X2
	VFMADD231SS (R12), X8, X4
	VFMADD231SS (R12)(BX*1), X8, X6
	ADDQ $4, SI
	ADDQ $4, DI
	ADDQ $4, R12
	DECQ CX
	JMP  rtail

rdone:
	VZEROUPPER
	MOVSS X0, 0(DX)
	MOVSS X2, 4(DX)
	MOVSS X4, 8(DX)
	MOVSS X6, 12(DX)
	RET

// func axpy4Asm(y *float32, n int, a *float32, w *float32, stride int)
// y[i] = fma(a[3], w3[i], fma(a[2], w2[i], fma(a[1], w1[i], fma(a[0], w0[i], y[i]))))
// for i < n, with wr = w[r·stride:]: four axpyAsm calls in a row, the
// same single rounding per FMA in the same order (so the same bits), but
// y is loaded and stored once instead of four times.
// Rows: SI, SI+BX, R12, R12+BX (BX the stride in bytes).
TEXT ·axpy4Asm(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ a+16(FP), AX
	MOVQ w+24(FP), SI
	MOVQ stride+32(FP), BX
	SHLQ $2, BX
	LEAQ (SI)(BX*2), R12
	VBROADCASTSS 0(AX), Y0
	VBROADCASTSS 4(AX), Y1
	VBROADCASTSS 8(AX), Y2
	VBROADCASTSS 12(AX), Y3

xloop8:
	CMPQ CX, $8
	JL   xtail
	VMOVUPS (DI), Y4
	VFMADD231PS (SI), Y0, Y4
	VFMADD231PS (SI)(BX*1), Y1, Y4
	VFMADD231PS (R12), Y2, Y4
	VFMADD231PS (R12)(BX*1), Y3, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R12
	SUBQ $8, CX
	JMP  xloop8

xtail:
	TESTQ CX, CX
	JE    xdone
	VMOVSS (DI), X4
	VFMADD231SS (SI), X0, X4
	VFMADD231SS (SI)(BX*1), X1, X4
	VFMADD231SS (R12), X2, X4
	VFMADD231SS (R12)(BX*1), X3, X4
	VMOVSS X4, (DI)
	ADDQ $4, DI
	ADDQ $4, SI
	ADDQ $4, R12
	DECQ CX
	JMP  xtail

xdone:
	VZEROUPPER
	RET
