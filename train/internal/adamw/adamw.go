// Package adamw runs the AdamW update of train (train/adamw.go) four
// weights at a time with AVX2, in Go assembly kept out of package train.
// It does the same float64 operations in the same order as train's Go loop,
// which stays the reference: IEEE multiply, add, divide and square root are
// correctly rounded, and nothing is fused, so every weight gets the same
// bits.
package adamw

// Coeffs are the scalars of one update, as train's adamStep derives them:
//
//	m ← B1·m + OneMinusB1·g
//	v ← B2·v + OneMinusB2·g·g
//	p ← p·Shrink − StepSize·m / (√v/SqrtC2 + Eps)
//
// The order of the fields is the order the assembly reads them.
type Coeffs struct {
	B1, OneMinusB1, B2, OneMinusB2 float64
	Shrink, StepSize, SqrtC2, Eps  float64
}
