package transformer

// Backend names the BLAS implementation gonum's matrix products run on:
// "gonum" (pure Go, the default build) or "openblas" (build tag openblas).
var Backend = "gonum"
