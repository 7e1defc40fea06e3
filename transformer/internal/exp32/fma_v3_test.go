//go:build amd64.v3

package exp32

// goFusesMultiplyAdd: with GOAMD64=v3 the Go compiler may fuse x·y + z.
const goFusesMultiplyAdd = true
