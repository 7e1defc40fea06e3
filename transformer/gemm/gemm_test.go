package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// kernels are the micro-kernels every test runs for one element type: the
// Go one and every assembly one this CPU runs (on amd64 without AVX2 or
// AVX-512 those are skipped, never silently replaced, and the test says so).
func kernels[T float](t testing.TB, f typed[T]) []kernel[T] {
	ks := append([]kernel[T]{f.goKernel}, *f.asm...)
	if runtime.GOARCH == "amd64" && !haveAVX2 {
		t.Logf("this CPU lacks AVX2/FMA: testing the Go kernel only")
	} else if runtime.GOARCH == "amd64" && !haveAVX512 {
		t.Logf("this CPU lacks AVX-512: the float32 AVX-512 kernel is not tested")
	}
	return ks
}

func is32[T float]() bool {
	_, ok := any(T(0)).(float32)
	return ok
}

// gemmFunc is the signature of Dgemm (T float64) and Sgemm (T float32).
type gemmFunc[T float] func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// parallelFunc is the signature of DgemmParallel and SgemmParallel.
type parallelFunc[T float] func(workers int, tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// typed holds one element type's functions under test, so each test below
// is written once and run for float64 and float32.
type typed[T float] struct {
	name      string
	gemm      gemmFunc[T]
	parallel  parallelFunc[T]
	reference gemmFunc[T]
	gonum     gemmFunc[T]
	check     func(tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) error

	goKernel kernel[T]
	asm      *[]kernel[T] // this CPU's assembly kernels
	best     *kernel[T]   // the kernel the package runs
}

var (
	dgemmFuncs = typed[float64]{"dgemm", Dgemm, DgemmParallel, Reference, gonum.Implementation{}.Dgemm, Check, goKernel64, &asmKernels64, &best64}
	sgemmFuncs = typed[float32]{"sgemm", Sgemm, SgemmParallel, Reference32, gonum.Implementation{}.Sgemm, Check32, goKernel32, &asmKernels32, &best32}
)

// bothTypes runs test for float64 (Dgemm) and float32 (Sgemm) as subtests.
func bothTypes(t *testing.T, test64 func(*testing.T, typed[float64]), test32 func(*testing.T, typed[float32])) {
	t.Run(dgemmFuncs.name, func(t *testing.T) { test64(t, dgemmFuncs) })
	t.Run(sgemmFuncs.name, func(t *testing.T) { test32(t, sgemmFuncs) })
}

// problem is one Dgemm call's arguments, with the stored shapes of A, B, C
// and strides that may exceed the row length (sub-matrices).
type problem[T float] struct {
	tA, tB        blas.Transpose
	m, n, k       int
	alpha, beta   T
	a, b, c       []T
	lda, ldb, ldc int
}

// newProblem fills A, B and C with random values in [-1, 1); pad adds that
// many extra columns to each stride (padding cells hold NaN: a kernel
// that reads or writes outside the matrix is caught).
func newProblem[T float](rng *rand.Rand, tA, tB blas.Transpose, m, n, k, pad int, alpha, beta float64) problem[T] {
	ar, ac := m, k
	if tA == blas.Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB == blas.Trans {
		br, bc = n, k
	}
	p := problem[T]{tA: tA, tB: tB, m: m, n: n, k: k, alpha: T(alpha), beta: T(beta),
		lda: max(1, ac+pad), ldb: max(1, bc+pad), ldc: max(1, n+pad)}
	p.a = matrix[T](rng, ar, ac, p.lda)
	p.b = matrix[T](rng, br, bc, p.ldb)
	p.c = matrix[T](rng, m, n, p.ldc)
	return p
}

func matrix[T float](rng *rand.Rand, rows, cols, ld int) []T {
	x := make([]T, rows*ld)
	for i := range x {
		if i%ld < cols {
			x[i] = T(2*rng.Float64() - 1)
		} else {
			x[i] = T(math.NaN())
		}
	}
	return x
}

// run runs f on a copy of p's C and returns it.
func (p problem[T]) run(f gemmFunc[T]) []T {
	c := append([]T(nil), p.c...)
	f(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
	return c
}

// withKernel is the driver with the kernel kern on one goroutine.
func withKernel[T float](kern kernel[T]) gemmFunc[T] {
	return func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
		if err := check(tA, tB, m, n, k, a, lda, b, ldb, c, ldc); err != nil {
			panic(err)
		}
		gemm(kern, 1, Full, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// epsilon is the machine epsilon of T: 2⁻⁵² for float64, 2⁻²³ for float32.
func epsilon[T float]() float64 {
	if is32[T]() {
		return float64(math.Nextafter32(1, 2) - 1)
	}
	return math.Nextafter(1, 2) - 1
}

func isNaN[T float](x T) bool { return x != x }

// compare checks got against the reference's want element by element with
// the standard error bound of a dot product of length k in T's precision
// (both sides round, so twice one side's bound):
// |got - want| ≤ 2(k+2)·ε·(|α|·Σ_p |a_ip||b_pj| + |β|·|c_ij|),
// and that padding cells (outside C) are untouched.
func (p problem[T]) compare(t *testing.T, got, want []T) {
	t.Helper()
	eps := epsilon[T]()
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.n; j++ {
			g, w := got[i*p.ldc+j], want[i*p.ldc+j]
			if isNaN(w) || isNaN(g) {
				if isNaN(w) != isNaN(g) {
					t.Fatalf("C[%d,%d] = %v, want %v", i, j, g, w)
				}
				continue
			}
			if math.IsInf(float64(w), 0) || math.IsInf(float64(g), 0) {
				if g != w {
					t.Fatalf("C[%d,%d] = %v, want %v", i, j, g, w)
				}
				continue
			}
			mag := 0.0
			for q := 0; q < p.k && p.alpha != 0; q++ {
				mag += math.Abs(float64(at(p.tA, p.a, p.lda, i, q)) * float64(at(p.tB, p.b, p.ldb, q, j)))
			}
			bound := 2 * float64(p.k+2) * eps * (math.Abs(float64(p.alpha))*mag + math.Abs(float64(p.beta)*float64(p.c[i*p.ldc+j])))
			if d := math.Abs(float64(g) - float64(w)); d > bound {
				t.Fatalf("C[%d,%d] = %v, want %v (|diff| %.3g > bound %.3g)", i, j, g, w, d, bound)
			}
		}
		for j := p.n; j < p.ldc && i*p.ldc+j < len(got); j++ {
			if !isNaN(got[i*p.ldc+j]) {
				t.Fatalf("padding C[%d,%d] written: %v", i, j, got[i*p.ldc+j])
			}
		}
	}
}

var transposes = []blas.Transpose{blas.NoTrans, blas.Trans}

// TestMatchesReference: every kernel of both types agrees with the
// reference on tiny, empty, k = 0, prime and tile-straddling shapes, every
// transpose pair, α and β including 0 and 1, and NaN-padded sub-matrices.
func TestMatchesReference(t *testing.T) {
	bothTypes(t, testMatchesReference[float64], testMatchesReference[float32])
}

func testMatchesReference[T float](t *testing.T, f typed[T]) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{
		{1, 1, 1}, {1, 1, 0}, {0, 5, 3}, {5, 0, 3}, {3, 4, 0}, {7, 11, 13},
		{6, 8, 1}, {6, 8, 4}, {6, 16, 4}, {6, 16, 7}, {5, 7, 3}, {13, 17, 5},
		{4, 4, 4}, {1, 37, 41}, {37, 1, 41}, {73, 9, 257}, {71, 67, 300},
		{150, 130, 513}, {12, 2053, 3}, {64, 64, 32}, {97, 101, 103}, {149, 33, 17},
	}
	scalars := [][2]float64{{1, 0}, {1, 1}, {0, 1}, {0, 0}, {-0.5, 2}, {2.5, 0}, {0, -3}}
	for _, kern := range kernels(t, f) {
		for _, s := range shapes {
			for _, tA := range transposes {
				for _, tB := range transposes {
					for si, ab := range scalars {
						pad := si % 3 // 0: tight strides; 1, 2: sub-matrices
						name := fmt.Sprintf("%s/%dx%dx%d/%c%c/a%g_b%g/pad%d", kern.name, s[0], s[1], s[2], tA, tB, ab[0], ab[1], pad)
						t.Run(name, func(t *testing.T) {
							p := newProblem[T](rng, tA, tB, s[0], s[1], s[2], pad, ab[0], ab[1])
							p.compare(t, p.run(withKernel(kern)), p.run(f.reference))
						})
					}
				}
			}
		}
	}
}

// TestReferenceMatchesGonum checks the references themselves against
// gonum's dgemm and sgemm, independent implementations.
func TestReferenceMatchesGonum(t *testing.T) {
	bothTypes(t, testReferenceMatchesGonum[float64], testReferenceMatchesGonum[float32])
}

func testReferenceMatchesGonum[T float](t *testing.T, f typed[T]) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range [][3]int{{1, 1, 1}, {7, 5, 3}, {31, 29, 37}, {3, 4, 0}, {70, 90, 300}} {
		for _, tA := range transposes {
			for _, tB := range transposes {
				p := newProblem[T](rng, tA, tB, s[0], s[1], s[2], 1, 0.75, -1.25)
				p.compare(t, p.run(f.reference), p.run(f.gonum))
			}
		}
	}
}

// TestNaN: a NaN or Inf in A or B spreads to exactly the row or column of C
// it touches (as BLAS); a NaN in C survives beta ≠ 0 and vanishes with
// beta = 0; with alpha = 0, A and B are not read.
func TestNaN(t *testing.T) {
	bothTypes(t, testNaN[float64], testNaN[float32])
}

func testNaN[T float](t *testing.T, f typed[T]) {
	nan, inf := T(math.NaN()), T(math.Inf(1))
	for _, kern := range kernels(t, f) {
		for _, tc := range []struct {
			name        string
			alpha, beta float64
			poison      func(p *problem[T])
		}{
			{"NaN in A", 1, 1, func(p *problem[T]) { p.a[2*p.lda+3] = nan }},
			{"Inf in B", 1, 0, func(p *problem[T]) { p.b[3*p.ldb+5] = inf }},
			{"-Inf in A", -0.5, 0, func(p *problem[T]) { p.a[7*p.lda+1] = -inf }},
			{"Inf in A and B", 1, 1, func(p *problem[T]) { p.a[1*p.lda+2], p.b[2*p.ldb+7] = inf, inf }},
			{"NaN in C, beta 1", 1, 1, func(p *problem[T]) { p.c[4*p.ldc+4] = nan }},
			{"NaN in C, beta 0", 1, 0, func(p *problem[T]) { p.c[4*p.ldc+4] = nan }},
			{"NaN in A, alpha 0", 0, 0.5, func(p *problem[T]) { p.a[0] = nan }},
		} {
			t.Run(kern.name+"/"+tc.name, func(t *testing.T) {
				p := newProblem[T](rand.New(rand.NewPCG(5, 6)), blas.NoTrans, blas.NoTrans, 13, 19, 11, 1, tc.alpha, tc.beta)
				tc.poison(&p)
				got, want := p.run(withKernel(kern)), p.run(f.reference)
				nonFinite := 0
				for i := 0; i < p.m; i++ {
					for j := 0; j < p.n; j++ {
						if w := float64(want[i*p.ldc+j]); math.IsNaN(w) || math.IsInf(w, 0) {
							nonFinite++
						}
					}
				}
				p.compare(t, got, want)
				t.Logf("%d non-finite elements of C, as the reference", nonFinite)
			})
		}
	}
}

// TestDeterministic: the same call gives the same bits again (pooled
// buffers carry nothing from one call to the next).
func TestDeterministic(t *testing.T) {
	bothTypes(t, testDeterministic[float64], testDeterministic[float32])
}

func testDeterministic[T float](t *testing.T, f typed[T]) {
	rng := rand.New(rand.NewPCG(7, 8))
	p := newProblem[T](rng, blas.Trans, blas.NoTrans, 100, 90, 300, 0, 1, 0.5)
	first := p.run(f.gemm)
	other := newProblem[T](rng, blas.NoTrans, blas.Trans, 200, 190, 20, 0, 1, 0)
	other.run(f.gemm)
	again := p.run(f.gemm)
	sameBits(t, "the second call", first, again)
}

// sameBits fails unless got and want are the same bits element by element.
func sameBits[T float](t *testing.T, what string, want, got []T) {
	t.Helper()
	for i := range want {
		if bits(got[i]) != bits(want[i]) {
			t.Fatalf("%s: C[%d] = %v, want %v (the same bits)", what, i, got[i], want[i])
		}
	}
}

func bits[T float](x T) uint64 {
	if v, ok := any(x).(float32); ok {
		return uint64(math.Float32bits(v))
	}
	return math.Float64bits(float64(x))
}

func TestCheck(t *testing.T) {
	bothTypes(t, testCheck[float64], testCheck[float32])
}

func testCheck[T float](t *testing.T, f typed[T]) {
	a, b, c := make([]T, 12), make([]T, 12), make([]T, 12)
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
			err := f.check(tc.tA, blas.NoTrans, tc.m, tc.n, tc.k, a, tc.lda, b, tc.ldb, c, tc.ldc)
			if (err == nil) != tc.ok {
				t.Fatalf("Check: %v, want ok=%v", err, tc.ok)
			}
			if err == nil {
				return
			}
			// Dgemm and Sgemm panic with the same message (BLAS convention).
			for _, g := range []gemmFunc[T]{f.gemm, f.reference} {
				func() {
					defer func() {
						if r := recover(); r == nil || r.(error).Error() != err.Error() {
							t.Fatalf("%s panicked with %v, want %v", f.name, r, err)
						}
					}()
					g(tc.tA, blas.NoTrans, tc.m, tc.n, tc.k, 1, a, tc.lda, b, tc.ldb, 0, c, tc.ldc)
				}()
			}
		})
	}
}

// TestImplementation: installed with blas64.Use and blas32.Use,
// blas64.Gemm and blas32.Gemm run this package's Dgemm and Sgemm and agree
// with the references.
func TestImplementation(t *testing.T) {
	defer blas64.Use(blas64.Implementation())
	defer blas32.Use(blas32.Implementation())
	blas64.Use(Implementation{})
	blas32.Use(Implementation{})
	rng := rand.New(rand.NewPCG(9, 10))
	p := newProblem[float64](rng, blas.NoTrans, blas.Trans, 20, 30, 40, 0, 1, 0)
	got := append([]float64(nil), p.c...)
	blas64.Gemm(p.tA, p.tB, p.alpha,
		blas64.General{Rows: 20, Cols: 40, Stride: p.lda, Data: p.a},
		blas64.General{Rows: 30, Cols: 40, Stride: p.ldb, Data: p.b},
		p.beta, blas64.General{Rows: 20, Cols: 30, Stride: p.ldc, Data: got})
	p.compare(t, got, p.run(Reference))
	sameBits(t, "blas64.Gemm", p.run(Dgemm), got)

	q := newProblem[float32](rng, blas.Trans, blas.NoTrans, 20, 30, 40, 0, 1, 0.5)
	got32 := append([]float32(nil), q.c...)
	blas32.Gemm(q.tA, q.tB, q.alpha,
		blas32.General{Rows: 40, Cols: 20, Stride: q.lda, Data: q.a},
		blas32.General{Rows: 40, Cols: 30, Stride: q.ldb, Data: q.b},
		q.beta, blas32.General{Rows: 20, Cols: 30, Stride: q.ldc, Data: got32})
	q.compare(t, got32, q.run(Reference32))
	sameBits(t, "blas32.Gemm", q.run(Sgemm), got32)
}

// fuzzGemm: any shape, transposes, padding and scalars agree with the
// reference on every kernel of T.
func fuzzGemm[T float](t *testing.T, f typed[T], m, n, k, trans, pad uint8, alpha, beta int8, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	tA, tB := transposes[trans&1], transposes[trans>>1&1]
	for _, kern := range kernels(t, f) {
		p := newProblem[T](rng, tA, tB, int(m), int(n), int(k), int(pad%4), float64(alpha)/4, float64(beta)/4)
		p.compare(t, p.run(withKernel(kern)), p.run(f.reference))
	}
}

// FuzzDgemm: any shape, transposes, padding and scalars agree with
// Reference on every float64 kernel.
func FuzzDgemm(f *testing.F) {
	f.Add(uint8(7), uint8(9), uint8(5), uint8(0), uint8(1), int8(4), int8(0), uint64(1))
	f.Add(uint8(1), uint8(1), uint8(0), uint8(3), uint8(0), int8(0), int8(4), uint64(2))
	f.Add(uint8(70), uint8(33), uint8(255), uint8(1), uint8(2), int8(-8), int8(-4), uint64(3))
	f.Fuzz(func(t *testing.T, m, n, k, trans, pad uint8, alpha, beta int8, seed uint64) {
		fuzzGemm(t, dgemmFuncs, m, n, k, trans, pad, alpha, beta, seed)
	})
}

// FuzzSgemm is FuzzDgemm for Sgemm's float32 kernels against Reference32
// (its corpus is in testdata/fuzz/FuzzSgemm).
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(7), uint8(17), uint8(5), uint8(0), uint8(1), int8(4), int8(0), uint64(1))
	f.Add(uint8(1), uint8(1), uint8(0), uint8(3), uint8(0), int8(0), int8(4), uint64(2))
	f.Add(uint8(70), uint8(33), uint8(255), uint8(1), uint8(2), int8(-8), int8(-4), uint64(3))
	f.Add(uint8(145), uint8(48), uint8(3), uint8(2), uint8(3), int8(1), int8(1), uint64(4))
	f.Fuzz(func(t *testing.T, m, n, k, trans, pad uint8, alpha, beta int8, seed uint64) {
		fuzzGemm(t, sgemmFuncs, m, n, k, trans, pad, alpha, beta, seed)
	})
}

// TestSameBitsAnyCut: DgemmParallel and SgemmParallel on any number of
// workers, and Dgemm and Sgemm run piece by piece on sub-matrices of C cut
// at arbitrary rows and columns, give exactly the bits of one call:
// results never depend on the number of cores or on how a caller cuts the
// product.
func TestSameBitsAnyCut(t *testing.T) {
	bothTypes(t, testSameBitsAnyCut[float64], testSameBitsAnyCut[float32])
}

func testSameBitsAnyCut[T float](t *testing.T, f typed[T]) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][3]int{{150, 70, 300}, {7, 2100, 9}, {300, 13, 600}, {301, 37, 513}} {
		for _, tA := range transposes {
			for _, tB := range transposes {
				p := newProblem[T](rng, tA, tB, s[0], s[1], s[2], 1, 0.5, 1.5)
				want := p.run(f.gemm)
				name := fmt.Sprintf("%dx%dx%d %c%c", s[0], s[1], s[2], tA, tB)
				for _, w := range []int{2, 3, 5, 64} {
					sameBits(t, fmt.Sprintf("%s, %d workers", name, w), want, p.run(func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
						f.parallel(w, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
					}))
				}
				// Rows [0, r) and [r, m), then columns [0, q) and [q, n) of the
				// second part, each as its own call on sub-matrices.
				r, q := 1+rng.IntN(s[0]-1), 1+rng.IntN(s[1]-1)
				sameBits(t, fmt.Sprintf("%s, cut at row %d, column %d", name, r, q), want, p.run(func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
					rowsA := func(lo int) []T { // op(A) from row lo
						if tA == blas.NoTrans {
							return a[lo*lda:]
						}
						return a[lo:]
					}
					colsB := func(lo int) []T { // op(B) from column lo
						if tB == blas.NoTrans {
							return b[lo:]
						}
						return b[lo*ldb:]
					}
					f.gemm(tA, tB, r, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
					f.gemm(tA, tB, m-r, q, k, alpha, rowsA(r), lda, b, ldb, beta, c[r*ldc:], ldc)
					f.gemm(tA, tB, m-r, n-q, k, alpha, rowsA(r), lda, colsB(q), ldb, beta, c[r*ldc+q:], ldc)
				}))
			}
		}
	}
}

// TestNoAllocs: once warm, Dgemm and Sgemm allocate nothing (each call and
// its buffers come from a pool; a training step makes hundreds of calls).
func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random on purpose")
	}
	bothTypes(t, testNoAllocs[float64], testNoAllocs[float32])
}

func testNoAllocs[T float](t *testing.T, f typed[T]) {
	rng := rand.New(rand.NewPCG(13, 14))
	p := newProblem[T](rng, blas.NoTrans, blas.Trans, 150, 70, 300, 1, 1, 0.5)
	c := append([]T(nil), p.c...)
	if allocs := testing.AllocsPerRun(10, func() {
		f.gemm(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
	}); allocs != 0 {
		t.Errorf("%s: %.1f allocations per call, want 0", f.name, allocs)
	}
}

// TestName: Name names the float32 kernel, and the float64 one is the
// same family (AVX2 where float32 runs AVX-512, which has no float64
// kernel).
func TestName(t *testing.T) {
	want64 := best32.name
	if want64 == avx512Kernel32.name {
		want64 = avx2Kernel64.name
	}
	if Name() != best32.name || best64.name != want64 {
		t.Fatalf("Name %q, float64 kernel %q, float32 kernel %q", Name(), best64.name, best32.name)
	}
}

// TestAVX512SameBits: the AVX-512 float32 kernel sums each element of C
// with the same FMAs in the same order as the AVX2 one, so whole products
// (packed and read in place, every transpose, beta 0 and not, partial
// tiles, several panels of p) give the same bits on both.
func TestAVX512SameBits(t *testing.T) {
	if !haveAVX512 {
		t.Skip("this CPU lacks AVX-512: nothing to compare")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	shapes := [][3]int{{64, 64, 32}, {64, 32, 64}, {768, 384, 128}, {37, 19, 41}, {6, 32, 6}, {1, 1, 1}, {150, 96, 300}, {13, 64, 520}}
	for _, s := range shapes {
		for _, tA := range transposes {
			for _, tB := range transposes {
				for _, beta := range []float64{0, 1.5} {
					p := newProblem[float32](rng, tA, tB, s[0], s[1], s[2], 1, 0.5, beta)
					want := slices.Clone(p.c)
					gemm(avx2Kernel32, 1, Full, tA == blas.Trans, tB == blas.Trans, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, want, p.ldc)
					got := slices.Clone(p.c)
					gemm(avx512Kernel32, 1, Full, tA == blas.Trans, tB == blas.Trans, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, got, p.ldc)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
							t.Fatalf("%dx%dx%d %c%c beta %g: C[%d] is %g with AVX-512, %g with AVX2", s[0], s[1], s[2], tA, tB, beta, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestReference32SumsInFloat32: Reference32 accumulates in float32 in the
// order p = 0, 1, ..., k-1, which the sums below tell apart from a float64
// accumulator or another order (u = 2⁻²⁴ is float32's unit roundoff):
// 1 + u/2 + u/2 + u/2 stays 1 in float32 (each addition rounds back to 1),
// while u/2 + u/2 + u/2 + 1 is 1 + 1.5u, which rounds to 1 + 2u.
func TestReference32SumsInFloat32(t *testing.T) {
	h := float32(math.Ldexp(1, -25)) // u/2
	for _, tc := range []struct {
		name string
		a    []float32
		want float32
	}{
		{"1 first", []float32{1, h, h, h}, 1},
		{"1 last", []float32{h, h, h, 1}, 1 + 4*h},
	} {
		ones := []float32{1, 1, 1, 1}
		c := []float32{0}
		Reference32(blas.NoTrans, blas.NoTrans, 1, 1, 4, 1, tc.a, 4, ones, 1, 0, c, 1)
		if c[0] != tc.want {
			t.Errorf("%s: Σ %v = %v, want %v", tc.name, tc.a, c[0], tc.want)
		}
	}
}

// TestDirectSameBits: a kernel that reads row-major operands in place
// (kernel.direct) gives the same bits as packing them, on shapes whose
// panels are all whole (so the driver reads them in place) and whose k
// and n cross the kc and nc blocks, with padded strides (whose NaN
// padding a read outside the matrix would bring into C).
func TestDirectSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, kern := range kernels(t, sgemmFuncs) {
		if kern.direct == nil {
			continue
		}
		packed := kern
		packed.direct = nil
		for _, s := range [][3]int{{48, 64, 300}, {384, 384, 128}, {96, 2064, 20}, {6, 16, 1}} {
			for _, tA := range transposes {
				for _, tB := range transposes {
					for _, pad := range []int{0, 3} {
						p := newProblem[float32](rng, tA, tB, s[0], s[1], s[2], pad, 0.5, 1.5)
						name := fmt.Sprintf("%s %dx%dx%d %c%c pad %d", kern.name, s[0], s[1], s[2], tA, tB, pad)
						sameBits(t, name, p.run(withKernel(packed)), p.run(withKernel(kern)))
					}
				}
			}
		}
	}
}
