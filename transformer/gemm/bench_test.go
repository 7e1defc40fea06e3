package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkDgemm times this package's Dgemm and gonum's on the same shapes
// in the same run (the transformer's training products: B·T = 768 rows,
// D = 128, 3D = 384, 4D = 512). Compare the GFLOP/s of /tick and /gonum
// lines of one run; gonum's Dgemm is limited to one goroutine here
// (GOMAXPROCS=1 compares like with like: -cpu 1).
//
// Run: go test -run '^$' -bench Dgemm -cpu 1 ./transformer/gemm/
// and: OPENBLAS_NUM_THREADS=1 go test -tags openblas -run '^$' -bench Dgemm -cpu 1 ./transformer/gemm/
func BenchmarkDgemm(b *testing.B) {
	for _, s := range []struct {
		tA, tB  blas.Transpose
		m, n, k int
	}{
		{blas.NoTrans, blas.Trans, 768, 384, 128},   // qkv forward: x·Wᵀ
		{blas.NoTrans, blas.NoTrans, 768, 128, 512}, // down backward dx = dy·W
		{blas.Trans, blas.NoTrans, 512, 128, 768},   // dW = dyᵀ·x
		{blas.NoTrans, blas.Trans, 64, 64, 32},      // attention scores q·kᵀ, one head
		{blas.NoTrans, blas.NoTrans, 256, 256, 256},
	} {
		rng := rand.New(rand.NewPCG(1, 2))
		p := newProblem[float64](rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 1)
		for _, impl := range append([]benchImpl{{"tick-" + Name(), Dgemm}}, benchPeers...) {
			benchProduct(b, fmt.Sprintf("%dx%dx%d_%c%c/%s", s.m, s.n, s.k, s.tA, s.tB, impl.name), p, impl.f)
		}
	}
}

// benchImpl is one Dgemm timed by BenchmarkDgemm.
type benchImpl struct {
	name string
	f    gemmFunc[float64]
}

// benchPeers are the other Dgemms BenchmarkDgemm times beside this one.
var benchPeers = []benchImpl{{"gonum", gonum.Implementation{}.Dgemm}}

// BenchmarkSgemm times this package's Sgemm beside its Dgemm and gonum's
// Sgemm (and OpenBLAS's sgemm with -tags openblas) on the float32 training
// path's shapes, in the same run: the forward products x·Wᵀ of the
// attention's qkv (768×384×128), the MLP's up projection (768×512×128) and
// the logits of a 256-token vocabulary (768×256×128); the backward dx =
// dy·W of the MLP's down projection (768×128×512) and a weight gradient
// xᵀ·dy (128×384×768); and one attention head's small products (64×64×32,
// 64×32×64), where the driver's fixed costs and the partial edge tiles
// weigh more. Sgemm should run at about twice Dgemm's GFLOP/s (8 floats
// per AVX2 register instead of 4 doubles).
//
// tick's lines run SgemmParallel and DgemmParallel on GOMAXPROCS
// goroutines, gonum's Sgemm its own goroutines up to GOMAXPROCS, so -cpu 1
// and -cpu 2 compare one core and two; OpenBLAS always runs one thread
// (transformer's openblas build sets it so).
//
// Run: go test -run '^$' -bench 'Sgemm$' -cpu 1,2 ./transformer/gemm/
// and: OPENBLAS_NUM_THREADS=1 go test -tags openblas -run '^$' -bench 'Sgemm$' -cpu 1 ./transformer/gemm/
func BenchmarkSgemm(b *testing.B) {
	for _, s := range sgemmShapes {
		rng := rand.New(rand.NewPCG(1, 2))
		p := newProblem[float32](rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 1)
		p64 := newProblem[float64](rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 1)
		shape := fmt.Sprintf("%dx%dx%d_%c%c/", s.m, s.n, s.k, s.tA, s.tB)
		benchProduct(b, shape+"tick-sgemm-"+Name(), p, onAllProcs(SgemmParallel))
		benchProduct(b, shape+"tick-dgemm-"+Name(), p64, onAllProcs(DgemmParallel))
		for _, impl := range benchPeers32 {
			benchProduct(b, shape+impl.name, p, impl.f)
		}
	}
}

// onAllProcs is f on GOMAXPROCS goroutines.
func onAllProcs[T float](f parallelFunc[T]) gemmFunc[T] {
	return func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
		f(runtime.GOMAXPROCS(0), tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// benchProduct times f on p (on a copy of p's C) as the sub-benchmark name.
func benchProduct[T float](b *testing.B, name string, p problem[T], f gemmFunc[T]) {
	b.Run(name, func(b *testing.B) {
		c := append([]T(nil), p.c...)
		timeGemm(b, p.m, p.n, p.k, func() {
			f(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
		})
	})
}

// sgemmShapes are BenchmarkSgemm's products: op(A) is m×k, op(B) k×n.
var sgemmShapes = []struct {
	tA, tB  blas.Transpose
	m, n, k int
}{
	{blas.NoTrans, blas.Trans, 768, 384, 128},   // qkv forward: x·Wᵀ
	{blas.NoTrans, blas.Trans, 768, 512, 128},   // MLP up forward: x·Wᵀ
	{blas.NoTrans, blas.NoTrans, 768, 128, 512}, // MLP down backward: dx = dy·W
	{blas.Trans, blas.NoTrans, 128, 384, 768},   // weight gradient: xᵀ·dy
	{blas.NoTrans, blas.Trans, 768, 256, 128},   // logits, V = 256: x·Wteᵀ
	{blas.NoTrans, blas.Trans, 64, 64, 32},      // attention scores q·kᵀ, one head
	{blas.NoTrans, blas.NoTrans, 64, 32, 64},    // attention output att·v, one head
}

// timeGemm runs f in b.Loop and reports GFLOP/s of an m×n×k product (2mnk
// flops per call) by wall time and, where the CPU time is known, by the
// CPU time the process used (cpu-GFLOP/s: on a shared machine the time
// slices other processes took do not count; GC and other goroutines do).
// GFLOP/s of lines of one run compare; a line run with -cpu 1 is one core.
func timeGemm(b *testing.B, m, n, k int, f func()) {
	cpu0, ok := cpuTime()
	for b.Loop() {
		f()
	}
	flops := 2 * float64(m*n*k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu1, ok1 := cpuTime(); ok && ok1 && cpu1 > cpu0 {
		b.ReportMetric(flops/(cpu1-cpu0).Seconds()/1e9, "cpu-GFLOP/s")
	}
}

// benchImpl32 is one Sgemm timed by BenchmarkSgemm.
type benchImpl32 struct {
	name string
	f    gemmFunc[float32]
}

// benchPeers32 are the other Sgemms BenchmarkSgemm times beside this one.
var benchPeers32 = []benchImpl32{{"gonum-sgemm", gonum.Implementation{}.Sgemm}}

// BenchmarkSgemmBlocks times Sgemm's driver and kernel with other block
// sizes on the shapes of BenchmarkSgemm, in the same run: the evidence for
// the choice of kc32 and mc32 (sgemm.go). Only GFLOP/s are compared (kc
// changes where the sums are cut, so the bits differ between lines).
//
// Run: go test -run '^$' -bench SgemmBlocks -cpu 1 ./transformer/gemm/
func BenchmarkSgemmBlocks(b *testing.B) {
	for _, s := range sgemmShapes {
		rng := rand.New(rand.NewPCG(1, 2))
		p := newProblem[float32](rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 1)
		for _, kcmc := range [][2]int{{kc32, mc32}, {256, 72}, {512, 144}, {512, 72}, {128, 144}} {
			kern := best32
			kern.kc, kern.mc = kcmc[0], kcmc[1]
			benchProduct(b, fmt.Sprintf("%dx%dx%d_%c%c/kc%d_mc%d", s.m, s.n, s.k, s.tA, s.tB, kern.kc, kern.mc), p, withKernel(kern))
		}
	}
}

// BenchmarkKernel times each micro-kernel alone on panels that stay in L1
// (k = 256, the C tile reused): the ceiling the whole product approaches.
// On AVX2 the float32 kernel should run at twice the float64 one.
//
// Run: go test -run '^$' -bench Kernel -cpu 1 ./transformer/gemm/
func BenchmarkKernel(b *testing.B) {
	const k = kc64
	for _, kern := range kernels(b, dgemmFuncs) {
		a, bb, c := make([]float64, kern.mr*k), make([]float64, kern.nr*k), make([]float64, kern.mr*kern.nr)
		b.Run(fmt.Sprintf("float64/%s_%dx%d", kern.name, kern.mr, kern.nr), func(b *testing.B) {
			timeGemm(b, kern.mr, kern.nr, k, func() { kern.fn(k, a, bb, c, kern.nr, 1, false) })
		})
	}
	for _, kern := range kernels(b, sgemmFuncs) {
		a, bb, c := make([]float32, kern.mr*k), make([]float32, kern.nr*k), make([]float32, kern.mr*kern.nr)
		b.Run(fmt.Sprintf("float32/%s_%dx%d", kern.name, kern.mr, kern.nr), func(b *testing.B) {
			timeGemm(b, kern.mr, kern.nr, k, func() { kern.fn(k, a, bb, c, kern.nr, 1, false) })
		})
	}
}
