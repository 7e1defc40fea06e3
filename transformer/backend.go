package transformer

// Backend names the BLAS that gonum's matrix products, float64 and float32,
// run on: "go-avx512" or "go-avx2" (transformer/gemm's Go-assembly kernels,
// the default build on such CPUs; with AVX-512 only the float32 products
// use it, the float64 ones AVX2), "go" (its portable Go kernels) or "openblas"
// (build tag openblas). Other BLAS routines run on gonum's pure Go code in
// the default build.
var Backend = "gonum"
