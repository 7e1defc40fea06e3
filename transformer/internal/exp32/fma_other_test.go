//go:build !amd64.v3

package exp32

// goFusesMultiplyAdd: without GOAMD64=v3 (on amd64) the Go compiler never
// fuses x·y + z, so Go and the assembly give the same bits. (Other
// architectures do not run the assembly.)
const goFusesMultiplyAdd = false
