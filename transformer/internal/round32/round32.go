// Package round32 rounds float64 values to float32: a float32 Forward
// computes with float32 copies of the float64 parameters, rounded afresh
// each time, and on amd64 it does so four values per instruction
// (VCVTPD2PS) instead of one.
//
// Both ways round to nearest, ties to even (the CPU's default mode, which
// Go's float32 conversion uses too), so they give the same bits
// (round32_test.go).
package round32

// Round sets dst[i] = float32(src[i]). It panics if the lengths differ.
func Round(dst []float32, src []float64) {
	if len(dst) != len(src) {
		panic("round32: lengths differ")
	}
	n := roundVec(dst, src)
	RoundGo(dst[n:], src[n:])
}

// RoundGo is Round as a loop, the reference.
func RoundGo(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}
