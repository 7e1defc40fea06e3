package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// eps32 is float32's unit roundoff (2⁻²⁴).
const eps32 = 1.0 / (1 << 24)

// randoms returns n values in [-1, 1) starting off floats into a fresh
// buffer, so the slice is misaligned by off·4 bytes.
func randoms(r *rand.Rand, n, off int) []float32 {
	buf := make([]float32, n+off)
	for i := range buf {
		buf[i] = 2*r.Float32() - 1
	}
	return buf[off:]
}

// dot64 is the dot product in float64 and the sum of |x_i·y_i|, the scale
// of its rounding error.
func dot64(x, y []float32) (sum, abs float64) {
	for i := range x {
		p := float64(x[i]) * float64(y[i])
		sum += p
		abs += math.Abs(p)
	}
	return sum, abs
}

// TestDotAgrees checks the kernel Dot runs (assembly where the CPU has it)
// and the plain loop against the float64 dot on every length 0..300 and
// four alignments: each within the float32 error bound n·eps·Σ|x_i·y_i|.
func TestDotAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 300; n++ {
		for off := range 4 {
			x, y := randoms(r, n, off), randoms(r, n, 3-off)
			want, abs := dot64(x, y)
			bound := float64(n+1)*eps32*abs + 1e-30
			for _, k := range []struct {
				name string
				f    func(x, y []float32) float32
			}{{"Dot", Dot}, {"dotPlain", dotPlain}} {
				if got := float64(k.f(x, y)); math.Abs(got-want) > bound {
					t.Fatalf("%s, n=%d off=%d: %g, float64 dot %g (bound %g)", k.name, n, off, got, want, bound)
				}
			}
		}
	}
}

// TestAxpyAgrees checks Axpy's kernel and the plain loop against float64
// arithmetic, value by value, on lengths 0..300 and four alignments; it
// also checks that the values just past the end are left alone.
func TestAxpyAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 300; n++ {
		for off := range 4 {
			a := 2*r.Float32() - 1
			x := randoms(r, n, off)
			y0 := randoms(r, n+1, 3-off) // one guard value after the n
			for _, k := range []struct {
				name string
				f    func(a float32, x, y []float32)
			}{{"Axpy", Axpy}, {"axpyPlain", axpyPlain}} {
				y := append([]float32(nil), y0...)
				k.f(a, x, y[:n])
				for i := range n {
					want := float64(a)*float64(x[i]) + float64(y0[i])
					bound := 2 * eps32 * (math.Abs(float64(a)*float64(x[i])) + math.Abs(float64(y0[i])))
					if math.Abs(float64(y[i])-want) > bound {
						t.Fatalf("%s, n=%d off=%d, y[%d]: %g, want %g", k.name, n, off, i, y[i], want)
					}
				}
				if y[n] != y0[n] {
					t.Fatalf("%s, n=%d: wrote past the end", k.name, n)
				}
			}
		}
	}
}

// TestAsmMatchesPlainClosely checks the assembly against the plain loops
// directly (AVX2+FMA on amd64, NEON on arm64): the same inputs give results within
// the rounding of float32 sums.
func TestAsmMatchesPlainClosely(t *testing.T) {
	if !Fast {
		t.Skip("no assembly kernels for this CPU: Dot and Axpy are the plain loops, which the other tests check")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 300; n++ {
		x, y := randoms(r, n, n%3), randoms(r, n, n%5)
		_, abs := dot64(x, y)
		if d := math.Abs(float64(dot(x, y) - dotPlain(x, y))); d > 2*float64(n+1)*eps32*abs {
			t.Fatalf("n=%d: assembly and plain dot differ by %g", n, d)
		}
	}
}

// TestMatVec checks MatVec against float64 row dots, that each row has
// the bits of Dot on it (the four-row kernel does each row's sum in
// Dot's order), and that computing it in pieces of rows gives the same
// bits as in one call (the property parallel generation relies on).
func TestMatVec(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, sh := range []struct{ rows, cols int }{{1, 1}, {3, 7}, {17, 33}, {64, 288}, {5, 300}, {0, 4}, {4, 0}, {9, 15}, {11, 8}, {13, 16}, {8, 40}, {12, 7}, {4, 1}, {7, 24}, {6, 768}} {
		w, x := randoms(r, sh.rows*sh.cols, 1), randoms(r, sh.cols, 2)
		y := make([]float32, sh.rows)
		MatVec(y, w, x)
		for i := range y {
			if d := Dot(w[i*sh.cols:(i+1)*sh.cols], x); d != y[i] {
				t.Fatalf("%dx%d row %d: MatVec %g, Dot of the row %g: want the same bits", sh.rows, sh.cols, i, y[i], d)
			}
			want, abs := dot64(w[i*sh.cols:(i+1)*sh.cols], x)
			if math.Abs(float64(y[i])-want) > float64(sh.cols+1)*eps32*abs+1e-30 {
				t.Fatalf("%dx%d row %d: %g, want %g", sh.rows, sh.cols, i, y[i], want)
			}
		}
		for cut := 0; cut <= sh.rows; cut++ {
			z := make([]float32, sh.rows)
			MatVec(z[:cut], w[:cut*sh.cols], x)
			MatVec(z[cut:], w[cut*sh.cols:], x)
			for i := range z {
				if z[i] != y[i] {
					t.Fatalf("%dx%d cut at %d: row %d is %g, whole %g", sh.rows, sh.cols, cut, i, z[i], y[i])
				}
			}
		}
	}
}

// TestMatVecT checks MatVecT against float64 column sums, and that column
// ranges computed apart give the same bits as the whole.
func TestMatVecT(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, sh := range []struct{ rows, cols int }{{1, 1}, {7, 3}, {33, 17}, {288, 64}, {20, 301}} {
		w, x := randoms(r, sh.rows*sh.cols, 3), randoms(r, sh.rows, 1)
		y := make([]float32, sh.cols)
		MatVecT(y, w, x, sh.cols, 0)
		for j := range y {
			var want, abs float64
			for i := range sh.rows {
				p := float64(x[i]) * float64(w[i*sh.cols+j])
				want += p
				abs += math.Abs(p)
			}
			if math.Abs(float64(y[j])-want) > float64(sh.rows+1)*eps32*abs {
				t.Fatalf("%dx%d column %d: %g, want %g", sh.rows, sh.cols, j, y[j], want)
			}
		}
		for cut := 0; cut <= sh.cols; cut += 1 + sh.cols/7 {
			z := make([]float32, sh.cols)
			MatVecT(z[:cut], w, x, sh.cols, 0)
			MatVecT(z[cut:], w, x, sh.cols, cut)
			for j := range z {
				if z[j] != y[j] {
					t.Fatalf("%dx%d cut at %d: column %d is %g, whole %g", sh.rows, sh.cols, cut, j, z[j], y[j])
				}
			}
		}
	}
}

// TestDotRowsAxpyRows checks the strided row kernels (attention's keys and
// values, four rows at a time in assembly) against Dot and Axpy called row
// by row: the same bits, on every count of rows 0-13 (whole groups of four
// and the rest), lengths around the kernels' steps, strides wider than
// the rows and rows that start unaligned.
func TestDotRowsAxpyRows(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for rows := 0; rows <= 13; rows++ {
		for _, n := range []int{1, 3, 7, 8, 9, 16, 17, 31, 33, 48, 64, 77} {
			for _, extra := range []int{0, 1, 5} {
				stride := n + extra
				w := randoms(r, rows*stride+n, 1) // unaligned
				x, a := randoms(r, n, 2), randoms(r, rows, 3)
				got := make([]float32, rows)
				DotRows(got, w, x, stride)
				for j := range got {
					if want := Dot(x, w[j*stride:j*stride+n]); got[j] != want {
						t.Fatalf("DotRows %d rows of %d, stride %d: row %d is %g, Dot %g", rows, n, stride, j, got[j], want)
					}
				}
				y, want := randoms(r, n, 0), make([]float32, n)
				copy(want, y)
				AxpyRows(y, a, w, stride)
				for j := range a {
					Axpy(a[j], w[j*stride:j*stride+n], want)
				}
				for i := range y {
					if y[i] != want[i] {
						t.Fatalf("AxpyRows %d rows of %d, stride %d: y[%d] is %g, Axpy row by row %g", rows, n, stride, i, y[i], want[i])
					}
				}
			}
		}
	}
}

// TestBadLengthsPanic checks that mismatched lengths are refused with a
// panic naming the kernel, not read out of bounds.
func TestBadLengthsPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"Dot":              func() { Dot(make([]float32, 3), make([]float32, 4)) },
		"Axpy":             func() { Axpy(1, make([]float32, 4), make([]float32, 3)) },
		"MatVec":           func() { MatVec(make([]float32, 2), make([]float32, 5), make([]float32, 3)) },
		"MatVecT":          func() { MatVecT(make([]float32, 3), make([]float32, 5), make([]float32, 2), 3, 1) },
		"DotRows short w":  func() { DotRows(make([]float32, 4), make([]float32, 3*5+2), make([]float32, 3), 5) },
		"DotRows stride":   func() { DotRows(make([]float32, 2), make([]float32, 10), make([]float32, 3), 2) },
		"AxpyRows short w": func() { AxpyRows(make([]float32, 3), make([]float32, 5), make([]float32, 4*4+2), 4) },
		"AxpyRows stride":  func() { AxpyRows(make([]float32, 3), make([]float32, 2), make([]float32, 10), 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s accepted mismatched lengths", name)
				}
			}()
			f()
		}()
	}
}

// The benchmarks time the kernels beside the plain loops in one run, on
// the shapes of generation: a 288-long dot (one row of stories15M's
// projections) and a 32,000 x 288 classifier.
func BenchmarkDot(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y := randoms(r, 288, 0), randoms(r, 288, 0)
	for _, k := range []struct {
		name string
		f    func(x, y []float32) float32
	}{{"plain", dotPlain}, {"kernel", dot}} {
		b.Run(k.name, func(b *testing.B) {
			b.SetBytes(2 * 4 * 288)
			var s float32
			for b.Loop() {
				s += k.f(x, y)
			}
			_ = s
		})
	}
}

func BenchmarkAxpy(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y := randoms(r, 768, 0), randoms(r, 768, 0)
	for _, k := range []struct {
		name string
		f    func(a float32, x, y []float32)
	}{{"plain", axpyPlain}, {"kernel", axpy}} {
		b.Run(k.name, func(b *testing.B) {
			b.SetBytes(3 * 4 * 768)
			for b.Loop() {
				k.f(1e-3, x, y)
			}
		})
	}
}

func BenchmarkClassifier(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const V, D = 32000, 288
	w, x, y := randoms(r, V*D, 0), randoms(r, D, 0), make([]float32, V)
	for _, k := range []struct {
		name string
		f    func(x, y []float32) float32
	}{{"plain", dotPlain}, {"kernel", dot}} {
		b.Run(k.name, func(b *testing.B) {
			b.SetBytes(4 * V * D)
			for b.Loop() {
				for i := range y {
					y[i] = k.f(w[i*D:(i+1)*D], x)
				}
			}
		})
	}
	b.Run("matvec", func(b *testing.B) { // four rows at a time where the CPU has the kernel
		b.SetBytes(4 * V * D)
		for b.Loop() {
			MatVec(y, w, x)
		}
	})
}
