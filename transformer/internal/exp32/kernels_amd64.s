#include "textflag.h"

// The kernels of exp32.go eight float32 lanes at a time, with the same
// operations in the same order as the Go code (no fused multiply-adds), so
// each element gets the same bits as in Go. CX points at consts: constant
// i, broadcast to 8 lanes, is at 32·i(CX).
#define C(i) (32*i)(CX)

// EXP8 is Exp (exp32.go) on the 8 lanes of Y1, the result in Y1; it uses
// Y2..Y5. Line by line: clamp x to [−87, 87] (VMAXPS and VMINPS return
// their register argument when either is NaN, so NaN stays NaN, as Go's
// max and min); t = x·log2e + round; n = t − round; r = (x − n·ln2Hi) −
// n·ln2Lo; the polynomial p by Horner's rule, then p·r² + r + 1; 2ⁿ =
// (bits(t) + bias) << 23; e = p·2ⁿ.
#define EXP8 \
	VMOVUPS C(0), Y2      \
	VMAXPS  Y1, Y2, Y1    \
	VMOVUPS C(1), Y2      \
	VMINPS  Y1, Y2, Y1    \
	VMULPS  C(2), Y1, Y2  \
	VADDPS  C(3), Y2, Y2  \
	VSUBPS  C(3), Y2, Y3  \
	VMULPS  C(4), Y3, Y4  \
	VSUBPS  Y4, Y1, Y4    \
	VMULPS  C(5), Y3, Y3  \
	VSUBPS  Y3, Y4, Y4    \
	VMULPS  C(6), Y4, Y3  \
	VADDPS  C(7), Y3, Y3  \
	VMULPS  Y4, Y3, Y3    \
	VADDPS  C(8), Y3, Y3  \
	VMULPS  Y4, Y3, Y3    \
	VADDPS  C(9), Y3, Y3  \
	VMULPS  Y4, Y3, Y3    \
	VADDPS  C(10), Y3, Y3 \
	VMULPS  Y4, Y3, Y3    \
	VADDPS  C(11), Y3, Y3 \
	VMULPS  Y4, Y4, Y5    \
	VMULPS  Y5, Y3, Y3    \
	VADDPS  Y4, Y3, Y3    \
	VADDPS  C(12), Y3, Y3 \
	VPADDD  C(13), Y2, Y2 \
	VPSLLD  $23, Y2, Y2   \
	VMULPS  Y2, Y3, Y1

// SIGMOID8 sets Y2 = σ(x) = 1/(1 + Exp(−x)) for the 8 lanes of x in Y1;
// it uses Y1..Y5. (−x flips the sign bit, as Go's −x.)
#define SIGMOID8 \
	VXORPS  C(20), Y1, Y1 \
	EXP8                  \
	VADDPS  C(12), Y1, Y1 \
	VMOVUPS C(12), Y2     \
	VDIVPS  Y1, Y2, Y2

// func geluForwardAVX2(y, s, x *float32, n int)
TEXT ·geluForwardAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ s+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), BX
	LEAQ ·consts(SB), CX
	SHRQ $3, BX
	JZ   gfdone

gfloop:
	VMOVUPS (SI), Y0        // v
	VMULPS  C(14), Y0, Y1   // 0.044715·v
	VMULPS  Y0, Y1, Y1      // ·v
	VMULPS  Y0, Y1, Y1      // ·v
	VADDPS  Y1, Y0, Y1      // v + 0.044715v³
	VMULPS  C(15), Y1, Y1   // u = √(2/π)·(…)
	VMULPS  C(18), Y1, Y1   // 2u (exact, so −(2u) has the bits of Go's −2·u)
	SIGMOID8                // s = σ(2u) = 1/(1 + Exp(−2u))
	VMULPS  Y2, Y0, Y3      // y = v·s
	VMOVUPS Y3, (DI)
	TESTQ   DX, DX
	JZ      gfnext
	VMOVUPS Y2, (DX)
	ADDQ    $32, DX

gfnext:
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ BX
	JNZ  gfloop

gfdone:
	VZEROUPPER
	RET

// func geluBackwardAVX2(dx, dy, x, s *float32, n int)
TEXT ·geluBackwardAVX2(SB), NOSPLIT, $0-40
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ s+24(FP), R8
	MOVQ n+32(FP), BX
	LEAQ ·consts(SB), CX
	SHRQ $3, BX
	JZ   gbdone

gbloop:
	VMOVUPS (SI), Y0        // v
	VMOVUPS (R8), Y1        // s
	VMULPS  C(18), Y1, Y2   // 2s
	VSUBPS  C(12), Y2, Y2   // th = 2s − 1
	VMULPS  C(16), Y0, Y3   // 3·0.044715·v
	VMULPS  Y0, Y3, Y3      // ·v
	VADDPS  C(12), Y3, Y3   // 1 + …
	VMULPS  C(15), Y3, Y3   // du = √(2/π)·(…)
	VMULPS  Y2, Y2, Y2      // th²
	VMOVUPS C(12), Y4
	VSUBPS  Y2, Y4, Y4      // 1 − th²
	VMULPS  C(17), Y0, Y5   // 0.5·v
	VMULPS  Y4, Y5, Y5      // ·(1 − th²)
	VMULPS  Y3, Y5, Y5      // ·du
	VADDPS  Y5, Y1, Y5      // s + …
	VMULPS  (DX), Y5, Y5    // dy·(…)
	VADDPS  (DI), Y5, Y5    // dx + …
	VMOVUPS Y5, (DI)
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    BX
	JNZ     gbloop

gbdone:
	VZEROUPPER
	RET

// WIDEN(Ys, Xs, Ylo, Yhi, Xhi) sets Ylo and Yhi to the float32 lanes 0..3
// and 4..7 of Ys (Xs its low half, Xhi Yhi's) in float64.
#define WIDEN(Ys, Xs, Ylo, Yhi, Xhi) \
	VEXTRACTF128 $1, Ys, Xhi \
	VCVTPS2PD    Xs, Ylo     \
	VCVTPS2PD    Xhi, Yhi

// NARROW sets Y0 to the float64 lanes of Y0 (0..3) and Y1 (4..7) rounded
// to float32.
#define NARROW \
	VCVTPD2PSY  Y0, X0 \
	VCVTPD2PSY  Y1, X1 \
	VINSERTF128 $1, X1, Y0, Y0

// ACC8 adds the 8 float32 lanes of Y1 into the float64 accumulators Y8
// (lanes 0..3) and Y9 (lanes 4..7); it uses Y2 and Y3.
#define ACC8 \
	WIDEN(Y1, X1, Y2, Y3, X3) \
	VADDPD Y2, Y8, Y8         \
	VADDPD Y3, Y9, Y9

// TAILMASK sets Y7 to the mask of the last k = BX < 8 elements of a row,
// the 8 words of tailMask from word 8 − k; it uses AX and R10 (k·4).
#define TAILMASK \
	LEAQ    ·tailMask+32(SB), AX \
	MOVQ    BX, R10              \
	SHLQ    $2, R10              \
	SUBQ    R10, AX              \
	VMOVDQU (AX), Y7

// STORETAIL(Y) stores the first k = BX < 8 lanes of Y at (DI) through the
// 32-byte frame, one lane at a time: a masked store (VMASKMOVPS) measured
// 15% slower a tail on AMD Zen 1. It uses AX and R11.
#define STORETAIL(Y) \
	VMOVUPS Y, (SP)         \
	XORQ    AX, AX          \
	stloop:                 \
	MOVL    (SP)(AX*4), R11 \
	MOVL    R11, (DI)(AX*4) \
	INCQ    AX              \
	CMPQ    AX, BX          \
	JL      stloop

// The row kernels below run whole groups of 8 with plain loads and
// stores, then the last k = n mod 8 elements with masked loads (0 past the
// end, which no load can fault on) through the same macro.

// func maxAVX2(z *float32, n int) float32
// Eight lane maxima m = x > m ? x : m (so NaN is never taken, as in Go),
// −Inf past the end of the row, then the maximum of the lanes. (The
// maximum does not depend on the order; only which of +0 and −0 comes out
// may, which no later result sees.)
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ    z+0(FP), SI
	MOVQ    n+8(FP), BX
	LEAQ    ·consts(SB), CX
	VMOVUPS C(19), Y0       // the lane maxima, −Inf

mloop:
	CMPQ    BX, $8
	JL      mtail
	VMOVUPS (SI), Y1
	VMAXPS  Y0, Y1, Y0      // m = x > m ? x : m
	ADDQ    $32, SI
	SUBQ    $8, BX
	JMP     mloop

mtail:
	TESTQ      BX, BX
	JZ         mreduce
	TAILMASK
	VMASKMOVPS (SI), Y7, Y1
	VBLENDVPS  Y7, Y1, Y0, Y1 // x, or m past the end
	VMAXPS     Y0, Y1, Y0

mreduce:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X0, X1, X0  // 4 lanes
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X0, X1, X0  // 2
	VPERMILPS    $0xb1, X0, X1
	VMAXPS       X0, X1, X0  // 1
	VZEROUPPER
	MOVSS        X0, ret+16(FP)
	RET

// SCALE8: Y0 = float32(float64(Y4)·inv), inv in the 4 float64 lanes of Y6.
#define SCALE8 \
	WIDEN(Y4, X4, Y0, Y1, X1) \
	VMULPD Y6, Y0, Y0         \
	VMULPD Y6, Y1, Y1         \
	NARROW

// func scaleAVX2(p *float32, n int, inv float64)
TEXT ·scaleAVX2(SB), NOSPLIT, $32-24
	MOVQ         p+0(FP), DI
	MOVQ         n+8(FP), BX
	VBROADCASTSD inv+16(FP), Y6

sloop:
	CMPQ    BX, $8
	JL      stail
	VMOVUPS (DI), Y4
	SCALE8                  // p·inv in float64, rounded to float32
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	SUBQ    $8, BX
	JMP     sloop

stail:
	TESTQ      BX, BX
	JZ         sdone
	TAILMASK
	VMASKMOVPS (DI), Y7, Y4
	SCALE8
	STORETAIL(Y0)

sdone:
	VZEROUPPER
	RET

// func expSumAVX2(p, z *float32, n int, m float32, acc *[8]float64)
TEXT ·expSumAVX2(SB), NOSPLIT, $32-40
	MOVQ         p+0(FP), DI
	MOVQ         z+8(FP), SI
	MOVQ         n+16(FP), BX
	MOVQ         acc+32(FP), DX
	LEAQ         ·consts(SB), CX
	VBROADCASTSS m+24(FP), Y6  // m in every lane
	VMOVUPD      (DX), Y8      // lanes 0..3 of acc
	VMOVUPD      32(DX), Y9    // lanes 4..7

esloop:
	CMPQ    BX, $8
	JL      estail
	VMOVUPS (SI), Y1
	VSUBPS  Y6, Y1, Y1      // z − m
	EXP8                    // e = Exp(z − m)
	VMOVUPS Y1, (DI)
	ACC8                    // acc += e
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, BX
	JMP     esloop

estail:
	TESTQ      BX, BX
	JZ         esdone
	TAILMASK
	VMASKMOVPS (SI), Y7, Y1
	VSUBPS     Y6, Y1, Y1
	EXP8
	VANDPS     Y7, Y1, Y1   // e, 0 past the end (adds nothing)
	STORETAIL(Y1)
	ACC8

esdone:
	VMOVUPD Y8, (DX)
	VMOVUPD Y9, 32(DX)
	VZEROUPPER
	RET

// DOT8 adds float64(Y4)·float64(Y5) (exact) into the accumulators Y8
// (lanes 0..3) and Y9 (4..7).
#define DOT8 \
	WIDEN(Y4, X4, Y0, Y1, X1) \
	WIDEN(Y5, X5, Y2, Y3, X3) \
	VMULPD Y2, Y0, Y0         \
	VMULPD Y3, Y1, Y1         \
	VADDPD Y0, Y8, Y8         \
	VADDPD Y1, Y9, Y9

// func dotAVX2(p, d *float32, n int, acc *[8]float64)
TEXT ·dotAVX2(SB), NOSPLIT, $0-32
	MOVQ    p+0(FP), SI
	MOVQ    d+8(FP), DI
	MOVQ    n+16(FP), BX
	MOVQ    acc+24(FP), DX
	VMOVUPD (DX), Y8
	VMOVUPD 32(DX), Y9

dloop:
	CMPQ    BX, $8
	JL      dtail
	VMOVUPS (SI), Y4        // p
	VMOVUPS (DI), Y5        // d
	DOT8                    // acc += p·d
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, BX
	JMP     dloop

dtail:
	TESTQ      BX, BX
	JZ         ddone
	TAILMASK
	VMASKMOVPS (SI), Y7, Y4 // p, 0 past the end
	VMASKMOVPS (DI), Y7, Y5 // d, 0 past the end: p·d = 0 adds nothing
	DOT8

ddone:
	VMOVUPD Y8, (DX)
	VMOVUPD Y9, 32(DX)
	VZEROUPPER
	RET

// SUBSCALE8: Y0 = float32(float64(Y4)·(float64(Y5) − dot)), dot in the 4
// float64 lanes of Y6.
#define SUBSCALE8 \
	WIDEN(Y4, X4, Y0, Y1, X1) \
	WIDEN(Y5, X5, Y2, Y3, X3) \
	VSUBPD Y6, Y2, Y2         \
	VSUBPD Y6, Y3, Y3         \
	VMULPD Y2, Y0, Y0         \
	VMULPD Y3, Y1, Y1         \
	NARROW

// func subScaleAVX2(p, d *float32, n int, dot float64)
TEXT ·subScaleAVX2(SB), NOSPLIT, $32-32
	MOVQ         p+0(FP), SI
	MOVQ         d+8(FP), DI
	MOVQ         n+16(FP), BX
	VBROADCASTSD dot+24(FP), Y6

ssloop:
	CMPQ    BX, $8
	JL      sstail
	VMOVUPS (SI), Y4        // p
	VMOVUPS (DI), Y5        // d
	SUBSCALE8               // p·(d − dot) in float64, rounded to float32
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, BX
	JMP     ssloop

sstail:
	TESTQ      BX, BX
	JZ         ssdone
	TAILMASK
	VMASKMOVPS (SI), Y7, Y4
	VMASKMOVPS (DI), Y7, Y5
	SUBSCALE8
	STORETAIL(Y0)

ssdone:
	VZEROUPPER
	RET

// func swigluForwardAVX2(y, a, u *float32, n int)
TEXT ·swigluForwardAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ u+16(FP), DX
	MOVQ n+24(FP), BX
	LEAQ ·consts(SB), CX
	SHRQ $3, BX
	JZ   sfdone

sfloop:
	VMOVUPS (SI), Y0        // a
	VMOVAPS Y0, Y1
	SIGMOID8                // s = σ(a)
	VMULPS  Y2, Y0, Y3      // a·s
	VMULPS  (DX), Y3, Y3    // ·u
	VMOVUPS Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    BX
	JNZ     sfloop

sfdone:
	VZEROUPPER
	RET

// func swigluBackwardAVX2(da, du, dy, a, u *float32, n int)
TEXT ·swigluBackwardAVX2(SB), NOSPLIT, $0-48
	MOVQ da+0(FP), DI
	MOVQ du+8(FP), R9
	MOVQ dy+16(FP), DX
	MOVQ a+24(FP), SI
	MOVQ u+32(FP), R8
	MOVQ n+40(FP), BX
	LEAQ ·consts(SB), CX
	SHRQ $3, BX
	JZ   sbdone

sbloop:
	VMOVUPS (SI), Y0        // a
	VMOVAPS Y0, Y1
	SIGMOID8                // s = σ(a)
	VMOVUPS (DX), Y6        // d = dy
	VMULPS  (R8), Y6, Y7    // d·u
	VMULPS  Y2, Y7, Y7      // ·s
	VMOVUPS C(12), Y8
	VSUBPS  Y2, Y8, Y8      // 1 − s
	VMULPS  Y8, Y0, Y8      // a·(1 − s)
	VADDPS  C(12), Y8, Y8   // 1 + …
	VMULPS  Y8, Y7, Y7      // d·u·s·(…)
	VADDPS  (DI), Y7, Y7    // da + …
	VMOVUPS Y7, (DI)
	VMULPS  Y0, Y6, Y9      // d·a
	VMULPS  Y2, Y9, Y9      // ·s
	VADDPS  (R9), Y9, Y9    // du + …
	VMOVUPS Y9, (R9)
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, DX
	ADDQ    $32, DI
	ADDQ    $32, R9
	DECQ    BX
	JNZ     sbloop

sbdone:
	VZEROUPPER
	RET
