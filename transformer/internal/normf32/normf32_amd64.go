package normf32

import "golang.org/x/sys/cpu"

// hasAVX2 says whether the kernels of normf32_amd64.s run (the CPU has
// AVX2); a test may turn it off to run the Go loops.
var hasAVX2 = cpu.X86.HasAVX2

// sum8 is sum8Go (len(x) a multiple of 8), with AVX2 where there is.
func sum8(x []float32) float64 {
	if !hasAVX2 || len(x) == 0 {
		return sum8Go(x)
	}
	return sum8AVX2(&x[0], len(x))
}

// sumSqDev8 is sumSqDev8Go (len(x) a multiple of 8), with AVX2 where
// there is.
func sumSqDev8(x []float32, m float64) float64 {
	if !hasAVX2 || len(x) == 0 {
		return sumSqDev8Go(x, m)
	}
	return sumSqDev8AVX2(&x[0], len(x), m)
}

// gradSums8 is gradSums8Go (len(x) a multiple of 8), with AVX2 where
// there is.
func gradSums8(dy, g, x []float32, m, r float64) (float64, float64) {
	n := len(x)
	if !hasAVX2 || n == 0 {
		return gradSums8Go(dy, g, x, m, r)
	}
	return gradSums8AVX2(first(dy, n), first(g, n), &x[0], n, m, r)
}

// scaleShiftVec runs scaleShiftGo on the largest multiple of 8 elements
// of x with AVX2 and returns how many it did (0 without AVX2).
func scaleShiftVec(y, x, g, b []float32, mf, rf float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	scaleShiftAVX2(first(y, n), &x[0], first(g, n), first(b, n), n, mf, rf)
	return n
}

// gradInputVec runs gradInputGo on the largest multiple of 8 elements of
// x with AVX2 and returns how many it did (0 without AVX2).
func gradInputVec(dx, dy, x, g []float32, mf, rf, sD, sDX float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	gradInputAVX2(first(dx, n), first(dy, n), &x[0], first(g, n), n, mf, rf, sD, sDX)
	return n
}

// paramRowVec runs paramRowGo on the largest multiple of 4 elements of x
// with AVX2 and returns how many it did (0 without AVX2).
func paramRowVec(dg, db []float64, dy, x []float32, m, r float64) int {
	n := len(x) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	paramRowAVX2(first(dg, n), first(db, n), first(dy, n), &x[0], n, m, r)
	return n
}

// first is the address of s[0] for the assembly, after checking that s
// holds n > 0 values (a panic here, not a stray read there); nil for nil.
func first[T float32 | float64](s []T, n int) *T {
	if s == nil {
		return nil
	}
	_ = s[n-1]
	return &s[0]
}

// sum8AVX2 is sum8Go on x[:n], n > 0 a multiple of 8.
//
//go:noescape
func sum8AVX2(x *float32, n int) float64

// sumSqDev8AVX2 is sumSqDev8Go on x[:n], n > 0 a multiple of 8.
//
//go:noescape
func sumSqDev8AVX2(x *float32, n int, m float64) float64

// gradSums8AVX2 is gradSums8Go on the first n values, n > 0 a multiple
// of 8.
//
//go:noescape
func gradSums8AVX2(dy, gain, x *float32, n int, m, r float64) (sD, sDX float64)

// scaleShiftAVX2 is scaleShiftGo on the first n values (b nil: no bias),
// n > 0 a multiple of 8.
//
//go:noescape
func scaleShiftAVX2(y, x, gain, b *float32, n int, mf, rf float32)

// gradInputAVX2 is gradInputGo on the first n values, n > 0 a multiple
// of 8.
//
//go:noescape
func gradInputAVX2(dx, dy, x, gain *float32, n int, mf, rf, sD, sDX float32)

// paramRowAVX2 is paramRowGo on the first n values (db nil: no bias),
// n > 0 a multiple of 4.
//
//go:noescape
func paramRowAVX2(dg, db *float64, dy, x *float32, n int, m, r float64)

// addRowsVec is AddRows on the columns j < len(db)&^7 with AVX2; it
// returns how many columns it did (0 without AVX2).
func addRowsVec(db []float64, dy []float32, n, ld int) int {
	cols := len(db) &^ 7
	if !hasAVX2 || cols == 0 || n == 0 {
		return 0
	}
	_ = dy[(n-1)*ld+cols-1]
	addRowsAVX2(&db[0], &dy[0], n, cols, ld)
	return cols
}

// addRowsAVX2 is addRowsGo on the columns j < cols (a positive multiple
// of 8), n > 0.
//
//go:noescape
func addRowsAVX2(db *float64, dy *float32, n, cols, ld int)
