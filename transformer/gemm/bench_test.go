package gemm

import (
	"fmt"
	"math/rand/v2"
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
		p := newProblem(rng, s.tA, s.tB, s.m, s.n, s.k, 0, 1, 1)
		for _, impl := range append([]benchImpl{{"tick-" + Name(), Dgemm}}, benchPeers...) {
			name := fmt.Sprintf("%dx%dx%d_%c%c/%s", s.m, s.n, s.k, s.tA, s.tB, impl.name)
			b.Run(name, func(b *testing.B) {
				c := append([]float64(nil), p.c...)
				for b.Loop() {
					impl.f(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// benchImpl is one Dgemm timed by BenchmarkDgemm.
type benchImpl struct {
	name string
	f    func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
}

// benchPeers are the other Dgemms BenchmarkDgemm times beside this one.
var benchPeers = []benchImpl{{"gonum", gonum.Implementation{}.Dgemm}}
