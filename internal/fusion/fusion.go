// Package fusion says whether the Go compiler may fuse a multiply and an
// add (x·y + z) into one FMA instruction, rounding once instead of twice.
// The Go specification allows it; on amd64 the compiler does it only when
// GOAMD64=v3 or above lets it assume FMA; on arm64, ppc64, s390x and
// riscv64 it does so always. Tests that hold two computations to the same
// bits (Go and assembly, which never fuses unless it says so, or two Go
// loops the compiler may fuse differently) skip those checks when it is
// true.
package fusion
