#include "textflag.h"

// func stepAVX2(p, grad, m, v *float64, n int, k *Coeffs)
// Four weights a step, each operation the one train's Go loop does, in its
// order: VMULPD, VADDPD, VSUBPD, VDIVPD and VSQRTPD round as the scalar
// ones do, so the bits are the same.
TEXT ·stepAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), BX
	MOVQ v+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ k+40(FP), AX
	VBROADCASTSD 0(AX), Y8     // B1
	VBROADCASTSD 8(AX), Y9     // 1−B1
	VBROADCASTSD 16(AX), Y10   // B2
	VBROADCASTSD 24(AX), Y11   // 1−B2
	VBROADCASTSD 32(AX), Y12   // Shrink
	VBROADCASTSD 40(AX), Y13   // StepSize
	VBROADCASTSD 48(AX), Y14   // √c2
	VBROADCASTSD 56(AX), Y15   // Eps

loop:
	VMOVUPD (SI), Y0           // g
	VMULPD (BX), Y8, Y1        // B1·m
	VMULPD Y0, Y9, Y2          // (1−B1)·g
	VADDPD Y2, Y1, Y1          // m' = B1·m + (1−B1)·g
	VMOVUPD Y1, (BX)
	VMULPD (DX), Y10, Y3       // B2·v
	VMULPD Y0, Y11, Y4         // (1−B2)·g
	VMULPD Y0, Y4, Y4          // ·g
	VADDPD Y4, Y3, Y3          // v' = B2·v + (1−B2)·g·g
	VMOVUPD Y3, (DX)
	VSQRTPD Y3, Y3             // √v'
	VDIVPD Y14, Y3, Y3         // /√c2
	VADDPD Y15, Y3, Y3         // + Eps
	VMULPD Y1, Y13, Y1         // StepSize·m'
	VDIVPD Y3, Y1, Y1          // / (√v'/√c2 + Eps)
	VMULPD (DI), Y12, Y0       // p·Shrink
	VSUBPD Y1, Y0, Y0          // p' = p·Shrink − step
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, BX
	ADDQ $32, DX
	SUBQ $4, CX
	JNZ  loop
	VZEROUPPER
	RET
