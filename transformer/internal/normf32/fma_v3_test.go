//go:build amd64.v3

package normf32

// goFusesMultiplyAdd: with GOAMD64=v3 the Go compiler may fuse x·y + z.
const goFusesMultiplyAdd = true
