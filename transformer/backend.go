package transformer

// Backend names the BLAS that gonum's matrix products, float64 and float32,
// run on: "go-avx512", "go-avx2" or "go-neon" (transformer/gemm's
// Go-assembly kernels, the default build on such CPUs; with AVX-512 only the
// float32 products use it, the float64 ones AVX2; NEON is arm64's, Apple
// laptops included), "go" (its portable Go kernels) or "openblas"
// (build tag openblas). Other BLAS routines run on gonum's pure Go code in
// the default build.
var Backend = "gonum"
