package vec

import "golang.org/x/sys/cpu"

// Fast reports whether the kernels run in AVX2+FMA assembly (otherwise the
// plain Go loops). It is set from the CPU at start-up; a test may turn it
// off to run the plain loops.
var Fast = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotAVX2 is dotPlain with two 8-lane FMA accumulators (vec_amd64.s);
// len(y) >= len(x).
//
//go:noescape
func dotAVX2(x, y []float32) float32

// axpyAVX2 is axpyPlain with FMA, 32 values a step (vec_amd64.s); len(y)
// >= len(x).
//
//go:noescape
func axpyAVX2(a float32, x, y []float32)

func dot(x, y []float32) float32 {
	if Fast {
		return dotAVX2(x, y)
	}
	return dotPlain(x, y)
}

func axpy(a float32, x, y []float32) {
	if Fast {
		axpyAVX2(a, x, y)
		return
	}
	axpyPlain(a, x, y)
}
