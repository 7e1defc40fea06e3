package transformer

// Backend names the BLAS that gonum's matrix products, float64 and float32,
// run on: "go-avx2" (transformer/gemm's Go-assembly AVX2/FMA kernels, the
// default build on such CPUs), "go" (its portable Go kernels) or "openblas"
// (build tag openblas). Other BLAS routines run on gonum's pure Go code in
// the default build.
var Backend = "gonum"
