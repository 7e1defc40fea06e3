//go:build !amd64

package exp32

// hasAVX2 is false here: there is no assembly, the Go loops do it all.
const hasAVX2 = false

func geluForwardVec(y, s, x []float32) int                      { return 0 }
func geluBackwardVec(dx, dy, x, s []float32) int                { return 0 }
func maxVec(z []float32) (float32, bool)                        { return 0, false }
func scaleVec(p []float32, inv float64) bool                    { return false }
func expSumVec(p, z []float32, m float32, acc *[8]float64) bool { return false }
func dotVec(p, d []float32, acc *[8]float64) bool               { return false }
func subScaleVec(p, d []float32, dot float64) bool              { return false }
func swigluForwardVec(y, a, u []float32) int                    { return 0 }
func swigluBackwardVec(da, du, dy, a, u []float32) int          { return 0 }
