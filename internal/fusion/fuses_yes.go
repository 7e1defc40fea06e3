//go:build !amd64 || amd64.v3

package fusion

// GoFuses: with GOAMD64=v3, and on the other architectures (arm64, ppc64,
// s390x, riscv64 fuse), the Go compiler may fuse x·y + z.
const GoFuses = true
