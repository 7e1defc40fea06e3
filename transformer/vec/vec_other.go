//go:build !amd64 && !arm64

package vec

// Fast reports whether the kernels run in assembly; elsewhere than amd64
// they are the plain Go loops. A variable, as on amd64, so that code (and
// tests) setting it builds everywhere; here setting it changes nothing.
var Fast = false

func dot(x, y []float32) float32 { return dotPlain(x, y) }

func axpy(a float32, x, y []float32) { axpyPlain(a, x, y) }

// dots4 has no kernel here: every row takes dot.
func dots4(y, w, x []float32, stride int) int { return 0 }

// axpys4 has no kernel here: every row takes axpy.
func axpys4(y, a, w []float32, stride int) int { return 0 }

// asmName is never shown here (Fast stays false).
const asmName = ""
