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

// dot4AVX2 sets y[0:4] to the dot products of the four rows of w (4 x
// len(x)) with x, each with the bits dotAVX2 gives it (vec_amd64.s).
//
//go:noescape
func dot4AVX2(w, x, y []float32)

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

// matVec is MatVec's loop: four rows at a time where the assembly can, the
// rest one by one, every row with the same bits either way.
func matVec(y, w, x []float32) {
	n, i := len(x), 0
	if Fast {
		for ; i+4 <= len(y); i += 4 {
			dot4AVX2(w[i*n:(i+4)*n], x, y[i:i+4])
		}
	}
	for ; i < len(y); i++ {
		y[i] = dot(w[i*n:(i+1)*n], x)
	}
}
