package transformer

// Backend names the BLAS that gonum's float64 matrix products run on:
// "go-avx2" (transformer/gemm's Go-assembly AVX2/FMA kernel, the default
// build on such CPUs), "go" (its portable Go kernel) or "openblas" (build tag
// openblas). Other BLAS routines and float32 products run on gonum's pure
// Go code in the default build.
var Backend = "gonum"
