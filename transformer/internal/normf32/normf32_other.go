//go:build !amd64

package normf32

// hasAVX2 is false here: there is no vector version.
const hasAVX2 = false

// The lane parts run in Go here, and the element-wise parts leave
// everything to the Go loops.

func sum8(x []float32) float64 { return sum8Go(x) }

func sumSqDev8(x []float32, m float64) float64 { return sumSqDev8Go(x, m) }

func gradSums8(dy, g, x []float32, m, r float64) (float64, float64) {
	return gradSums8Go(dy, g, x, m, r)
}

func scaleShiftVec(y, x, g, b []float32, mf, rf float32) int { return 0 }

func gradInputVec(dx, dy, x, g []float32, mf, rf, sD, sDX float32) int { return 0 }

func paramRowVec(dg, db []float64, dy, x []float32, m, r float64) int { return 0 }

func addRowsVec(db []float64, dy []float32, n, ld int) int { return 0 }
