package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// kernels are the micro-kernels every test runs (on amd64 without AVX2 the
// assembly one is skipped, never silently replaced).
func kernels(t testing.TB) []kernel {
	ks := []kernel{goKernel}
	if avx2Kernel.name != goKernel.name {
		if best.name != avx2Kernel.name {
			t.Logf("this CPU lacks AVX2/FMA: testing the Go kernel only")
		} else {
			ks = append(ks, avx2Kernel)
		}
	}
	return ks
}

// problem is one Dgemm call's arguments, with the stored shapes of A, B, C
// and strides that may exceed the row length (sub-matrices).
type problem struct {
	tA, tB        blas.Transpose
	m, n, k       int
	alpha, beta   float64
	a, b, c       []float64
	lda, ldb, ldc int
}

// newProblem fills A, B and C with random values in [-1, 1); pad adds that
// many extra columns to each stride (padding cells hold NaN: a kernel
// that reads or writes outside the matrix is caught).
func newProblem(rng *rand.Rand, tA, tB blas.Transpose, m, n, k, pad int, alpha, beta float64) problem {
	ar, ac := m, k
	if tA == blas.Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB == blas.Trans {
		br, bc = n, k
	}
	p := problem{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		lda: max(1, ac+pad), ldb: max(1, bc+pad), ldc: max(1, n+pad)}
	p.a = matrix(rng, ar, ac, p.lda)
	p.b = matrix(rng, br, bc, p.ldb)
	p.c = matrix(rng, m, n, p.ldc)
	return p
}

func matrix(rng *rand.Rand, rows, cols, ld int) []float64 {
	x := make([]float64, rows*ld)
	for i := range x {
		if i%ld < cols {
			x[i] = 2*rng.Float64() - 1
		} else {
			x[i] = math.NaN()
		}
	}
	return x
}

// run runs f on a copy of p's C and returns it.
func (p problem) run(f func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)) []float64 {
	c := append([]float64(nil), p.c...)
	f(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
	return c
}

func (p problem) withKernel(kern kernel) func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	return func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
		if err := Check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
			panic(err)
		}
		dgemm(kern, 1, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// compare checks got against Reference's want element by element with the
// standard error bound of a dot product of length k:
// |got - want| ≤ 2(k+2)·ε·(|α|·Σ_p |a_ip||b_pj| + |β|·|c_ij|),
// and that padding cells (outside C) are untouched.
func (p problem) compare(t *testing.T, got, want []float64) {
	t.Helper()
	eps := math.Nextafter(1, 2) - 1
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.n; j++ {
			g, w := got[i*p.ldc+j], want[i*p.ldc+j]
			if math.IsNaN(w) || math.IsNaN(g) {
				if math.IsNaN(w) != math.IsNaN(g) {
					t.Fatalf("C[%d,%d] = %v, want %v", i, j, g, w)
				}
				continue
			}
			mag := 0.0
			for q := 0; q < p.k && p.alpha != 0; q++ {
				mag += math.Abs(at(p.tA, p.a, p.lda, i, q) * at(p.tB, p.b, p.ldb, q, j))
			}
			bound := 2 * float64(p.k+2) * eps * (math.Abs(p.alpha)*mag + math.Abs(p.beta*p.c[i*p.ldc+j]))
			if math.Abs(g-w) > bound {
				t.Fatalf("C[%d,%d] = %v, want %v (|diff| %.3g > bound %.3g)", i, j, g, w, math.Abs(g-w), bound)
			}
		}
		for j := p.n; j < p.ldc && i*p.ldc+j < len(got); j++ {
			if !math.IsNaN(got[i*p.ldc+j]) {
				t.Fatalf("padding C[%d,%d] written: %v", i, j, got[i*p.ldc+j])
			}
		}
	}
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans}

func TestDgemmMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{
		{1, 1, 1}, {1, 1, 0}, {0, 5, 3}, {5, 0, 3}, {3, 4, 0}, {7, 11, 13},
		{6, 8, 1}, {6, 8, 4}, {5, 7, 3}, {13, 17, 5}, {4, 4, 4}, {1, 37, 41},
		{37, 1, 41}, {73, 9, 257}, {71, 67, 300}, {150, 130, 513}, {12, 2053, 3},
		{64, 64, 32}, {97, 101, 103},
	}
	scalars := [][2]float64{{1, 0}, {1, 1}, {0, 1}, {0, 0}, {-0.5, 2}, {2.5, 0}, {0, -3}}
	for _, kern := range kernels(t) {
		for _, s := range shapes {
			for _, tA := range transposes {
				for _, tB := range transposes {
					for si, ab := range scalars {
						pad := si % 3 // 0: tight strides; 1, 2: sub-matrices
						name := fmt.Sprintf("%s/%dx%dx%d/%c%c/a%g_b%g/pad%d", kern.name, s[0], s[1], s[2], tA, tB, ab[0], ab[1], pad)
						t.Run(name, func(t *testing.T) {
							p := newProblem(rng, tA, tB, s[0], s[1], s[2], pad, ab[0], ab[1])
							p.compare(t, p.run(p.withKernel(kern)), p.run(Reference))
						})
					}
				}
			}
		}
	}
}

// TestReferenceMatchesGonum checks the reference itself against gonum's
// dgemm, an independent implementation.
func TestReferenceMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range [][3]int{{1, 1, 1}, {7, 5, 3}, {31, 29, 37}, {3, 4, 0}} {
		for _, tA := range transposes {
			for _, tB := range transposes {
				p := newProblem(rng, tA, tB, s[0], s[1], s[2], 1, 0.75, -1.25)
				p.compare(t, p.run(Reference), p.run(gonum.Implementation{}.Dgemm))
			}
		}
	}
}

// TestNaN: a NaN or Inf in A or B spreads to exactly the row or column of C
// it touches (as BLAS); a NaN in C survives beta ≠ 0 and vanishes with
// beta = 0; with alpha = 0, A and B are not read.
func TestNaN(t *testing.T) {
	for _, kern := range kernels(t) {
		for _, tc := range []struct {
			name        string
			alpha, beta float64
			poison      func(p *problem)
		}{
			{"NaN in A", 1, 1, func(p *problem) { p.a[2*p.lda+3] = math.NaN() }},
			{"Inf in B", 1, 0, func(p *problem) { p.b[3*p.ldb+5] = math.Inf(1) }},
			{"NaN in C, beta 1", 1, 1, func(p *problem) { p.c[4*p.ldc+4] = math.NaN() }},
			{"NaN in C, beta 0", 1, 0, func(p *problem) { p.c[4*p.ldc+4] = math.NaN() }},
			{"NaN in A, alpha 0", 0, 0.5, func(p *problem) { p.a[0] = math.NaN() }},
		} {
			t.Run(kern.name+"/"+tc.name, func(t *testing.T) {
				p := newProblem(rand.New(rand.NewPCG(5, 6)), blas.NoTrans, blas.NoTrans, 13, 19, 11, 1, tc.alpha, tc.beta)
				tc.poison(&p)
				got, want := p.run(p.withKernel(kern)), p.run(Reference)
				nans := 0
				for i := 0; i < p.m; i++ {
					for j := 0; j < p.n; j++ {
						if math.IsNaN(want[i*p.ldc+j]) || math.IsInf(want[i*p.ldc+j], 0) {
							nans++
						}
					}
				}
				p.compare(t, got, want)
				t.Logf("%d non-finite elements of C, as the reference", nans)
			})
		}
	}
}

// TestDeterministic: the same call gives the same bits again (pooled
// buffers carry nothing from one call to the next).
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	p := newProblem(rng, blas.Trans, blas.NoTrans, 100, 90, 300, 0, 1, 0.5)
	first := p.run(Dgemm)
	other := newProblem(rng, blas.NoTrans, blas.Trans, 200, 190, 20, 0, 1, 0)
	other.run(Dgemm)
	again := p.run(Dgemm)
	for i := range first {
		if math.Float64bits(first[i]) != math.Float64bits(again[i]) {
			t.Fatalf("C[%d]: %v then %v", i, first[i], again[i])
		}
	}
}

func TestCheck(t *testing.T) {
	a, b, c := make([]float64, 12), make([]float64, 12), make([]float64, 12)
	for _, tc := range []struct {
		name          string
		tA            blas.Transpose
		m, n, k       int
		lda, ldb, ldc int
		ok            bool
	}{
		{"fits", blas.NoTrans, 3, 4, 3, 3, 4, 4, true},
		{"bad transpose", 'x', 3, 4, 3, 3, 4, 4, false},
		{"negative m", blas.NoTrans, -1, 4, 3, 3, 4, 4, false},
		{"short stride A", blas.NoTrans, 3, 4, 3, 2, 4, 4, false},
		{"short stride A transposed", blas.Trans, 4, 3, 3, 3, 3, 3, false},
		{"A too short", blas.NoTrans, 5, 2, 3, 3, 2, 2, false},
		{"C too short", blas.NoTrans, 3, 4, 3, 3, 4, 5, false},
		{"empty", blas.NoTrans, 0, 0, 0, 1, 1, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.tA, blas.NoTrans, tc.m, tc.n, tc.k, a, tc.lda, b, tc.ldb, c, tc.ldc)
			if (err == nil) != tc.ok {
				t.Fatalf("Check: %v, want ok=%v", err, tc.ok)
			}
			if err == nil {
				return
			}
			// Dgemm panics with the same message (BLAS convention).
			defer func() {
				if r := recover(); r == nil || r.(error).Error() != err.Error() {
					t.Fatalf("Dgemm panicked with %v, want %v", r, err)
				}
			}()
			Dgemm(tc.tA, blas.NoTrans, tc.m, tc.n, tc.k, 1, a, tc.lda, b, tc.ldb, 0, c, tc.ldc)
		})
	}
}

// TestImplementation: installed with blas64.Use, blas64.Gemm runs this
// package's Dgemm and agrees with Reference.
func TestImplementation(t *testing.T) {
	defer blas64.Use(blas64.Implementation())
	blas64.Use(Implementation{})
	rng := rand.New(rand.NewPCG(9, 10))
	p := newProblem(rng, blas.NoTrans, blas.Trans, 20, 30, 40, 0, 1, 0)
	got := append([]float64(nil), p.c...)
	blas64.Gemm(p.tA, p.tB, p.alpha,
		blas64.General{Rows: 20, Cols: 40, Stride: p.lda, Data: p.a},
		blas64.General{Rows: 30, Cols: 40, Stride: p.ldb, Data: p.b},
		p.beta, blas64.General{Rows: 20, Cols: 30, Stride: p.ldc, Data: got})
	p.compare(t, got, p.run(Reference))
}

// FuzzDgemm: any shape, transposes, padding and scalars agree with
// Reference on every kernel.
func FuzzDgemm(f *testing.F) {
	f.Add(uint8(7), uint8(9), uint8(5), uint8(0), uint8(1), int8(4), int8(0), uint64(1))
	f.Add(uint8(1), uint8(1), uint8(0), uint8(3), uint8(0), int8(0), int8(4), uint64(2))
	f.Add(uint8(70), uint8(33), uint8(255), uint8(1), uint8(2), int8(-8), int8(-4), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, trans, pad uint8, alpha, beta int8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 1))
		tA, tB := transposes[trans&1], transposes[trans>>1&1]
		for _, kern := range kernels(t) {
			p := newProblem(rng, tA, tB, int(m), int(n), int(k), int(pad%4), float64(alpha)/4, float64(beta)/4)
			p.compare(t, p.run(p.withKernel(kern)), p.run(Reference))
		}
	})
}

// TestSameBitsAnyCut: DgemmParallel on any number of workers, and Dgemm run
// piece by piece on sub-matrices of C cut at arbitrary rows and columns,
// give exactly the bits of one Dgemm call: results never depend on the
// number of cores or on how a caller cuts the product.
func TestSameBitsAnyCut(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][3]int{{150, 70, 300}, {7, 2100, 9}, {300, 13, 600}} {
		for _, tA := range transposes {
			for _, tB := range transposes {
				p := newProblem(rng, tA, tB, s[0], s[1], s[2], 1, 0.5, 1.5)
				want := p.run(Dgemm)
				same := func(what string, got []float64) {
					t.Helper()
					for i := range want {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("%dx%dx%d %c%c %s: C[%d] = %v, one call gives %v", s[0], s[1], s[2], tA, tB, what, i, got[i], want[i])
						}
					}
				}
				for _, w := range []int{2, 3, 5, 64} {
					same(fmt.Sprintf("%d workers", w), p.run(func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
						DgemmParallel(w, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
					}))
				}
				// Rows [0, r) and [r, m), then columns [0, q) and [q, n) of the
				// second part, each as its own call on sub-matrices.
				r, q := 1+rng.IntN(s[0]-1), 1+rng.IntN(s[1]-1)
				same(fmt.Sprintf("cut at row %d, column %d", r, q), p.run(func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
					rowsA := func(lo int) []float64 { // op(A) from row lo
						if tA == blas.NoTrans {
							return a[lo*lda:]
						}
						return a[lo:]
					}
					colsB := func(lo int) []float64 { // op(B) from column lo
						if tB == blas.NoTrans {
							return b[lo:]
						}
						return b[lo*ldb:]
					}
					Dgemm(tA, tB, r, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
					Dgemm(tA, tB, m-r, q, k, alpha, rowsA(r), lda, b, ldb, beta, c[r*ldc:], ldc)
					Dgemm(tA, tB, m-r, n-q, k, alpha, rowsA(r), lda, colsB(q), ldb, beta, c[r*ldc+q:], ldc)
				}))
			}
		}
	}
}
