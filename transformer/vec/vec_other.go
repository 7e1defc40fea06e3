//go:build !amd64

package vec

// Fast reports whether the kernels run in assembly; elsewhere than amd64
// they are the plain Go loops. A variable, as on amd64, so that code (and
// tests) setting it builds everywhere; here setting it changes nothing.
var Fast = false

func dot(x, y []float32) float32 { return dotPlain(x, y) }

func axpy(a float32, x, y []float32) { axpyPlain(a, x, y) }
