package transformer

// Backend names the BLAS implementation gonum's matrix products run on:
// "gonum" (pure Go, the default build) or "openblas" (build tag openblas).
var Backend = "gonum"

// With OpenBLAS these reach its thread count; pure-Go gonum splits a large
// product over GOMAXPROCS goroutines and has no separate setting.
var (
	setBLASThreads = func(int) {}
	blasThreads    = func() int { return 0 }
)

// SetBLASThreads sets how many threads OpenBLAS uses inside one matrix
// product (it has no effect on the pure-Go backend). OpenBLAS's threads and
// this package's goroutines share the same cores.
func SetBLASThreads(n int) { setBLASThreads(n) }

// BLASThreads reports OpenBLAS's thread count, or 0 on the pure-Go backend.
func BLASThreads() int { return blasThreads() }
