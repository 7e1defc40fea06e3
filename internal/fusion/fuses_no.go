//go:build amd64 && !amd64.v3

package fusion

// GoFuses: on amd64 without GOAMD64=v3 the Go compiler never fuses
// x·y + z, so Go and the assembly give the same bits.
const GoFuses = false
