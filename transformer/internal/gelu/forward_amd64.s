#include "textflag.h"

// forwardAVX2 is ForwardGo (gelu.go) on 4 elements at a time,
// with the same operations in the same order (no fused multiply-adds), so
// each element gets the same bits as in Go. CX points at consts: constant
// i, broadcast to 4 lanes, is at 32·i(CX).
#define C(i) (32*i)(CX)

// func forwardAVX2(y, s, x *float64, n int)
TEXT ·forwardAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ s+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), BX
	LEAQ ·consts(SB), CX
	SHRQ $2, BX
	JZ   done

loop:
	VMOVUPD (SI), Y0              // v
	VMULPD  C(0), Y0, Y1          // 0.044715·v
	VMULPD  Y0, Y1, Y1            // ·v
	VMULPD  Y0, Y1, Y1            // ·v
	VADDPD  Y1, Y0, Y1            // v + 0.044715v³
	VMULPD  C(1), Y1, Y1          // u = √(2/π)·(…)
	VMULPD  C(2), Y1, Y1          // −2u, the argument of Exp

	// Exp: clamp to [−708, 708] (the register argument is returned
	// when either is NaN, so NaN stays NaN, as Go's max and min).
	VMOVUPD C(4), Y2
	VMAXPD  Y1, Y2, Y1
	VMOVUPD C(5), Y2
	VMINPD  Y1, Y2, Y1
	VMULPD  C(6), Y1, Y2          // x·log2e
	VADDPD  C(7), Y2, Y2          // t = x·log2e + round
	VSUBPD  C(7), Y2, Y3          // n = t − round
	VMULPD  C(8), Y3, Y4          // n·ln2Hi
	VSUBPD  Y4, Y1, Y4            // x − n·ln2Hi
	VMULPD  C(9), Y3, Y5          // n·ln2Lo
	VSUBPD  Y5, Y4, Y4            // r

	// eʳ by Estrin's scheme, as Exp.
	VMULPD  Y4, Y4, Y5            // r²
	VMULPD  Y5, Y5, Y6            // r⁴
	VMULPD  Y6, Y6, Y7            // r⁸
	VADDPD  C(3), Y4, Y8          // p01 = 1 + r
	VMULPD  C(11), Y4, Y9
	VADDPD  C(10), Y9, Y9         // p23
	VMULPD  C(13), Y4, Y10
	VADDPD  C(12), Y10, Y10       // p45
	VMULPD  C(15), Y4, Y11
	VADDPD  C(14), Y11, Y11       // p67
	VMULPD  C(17), Y4, Y12
	VADDPD  C(16), Y12, Y12       // p89
	VMULPD  C(19), Y4, Y13
	VADDPD  C(18), Y13, Y13       // p1011
	VMULPD  C(21), Y4, Y14
	VADDPD  C(20), Y14, Y14       // p1213
	VMULPD  Y9, Y5, Y9
	VADDPD  Y9, Y8, Y8            // p03 = p01 + r²·p23
	VMULPD  Y11, Y5, Y11
	VADDPD  Y11, Y10, Y10         // p47 = p45 + r²·p67
	VMULPD  Y13, Y5, Y13
	VADDPD  Y13, Y12, Y12         // p811 = p89 + r²·p1011
	VMULPD  Y14, Y6, Y14
	VADDPD  Y14, Y12, Y12         // p813 = p811 + r⁴·p1213
	VMULPD  Y10, Y6, Y10
	VADDPD  Y10, Y8, Y8           // p03 + r⁴·p47
	VMULPD  Y12, Y7, Y12
	VADDPD  Y12, Y8, Y8           // p = … + r⁸·p813

	// 2ⁿ: bits(t) − bits(round) = n, so (bits(t) + 1023 − bits(round)) << 52.
	VPADDQ  C(22), Y2, Y2
	VPSLLQ  $52, Y2, Y2
	VMULPD  Y2, Y8, Y8            // e = p·2ⁿ

	VADDPD  C(3), Y8, Y8          // 1 + e
	VMOVUPD C(3), Y9
	VDIVPD  Y8, Y9, Y9            // s = 1/(1 + e)
	VMULPD  Y9, Y0, Y10           // y = v·s
	VMOVUPD Y10, (DI)
	TESTQ   DX, DX
	JZ      next
	VMOVUPD Y9, (DX)
	ADDQ    $32, DX

next:
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ BX
	JNZ  loop

done:
	VZEROUPPER
	RET
