//go:build !unix

package gemm

import "time"

// cpuTime is not measured here: benchmarks report wall-time GFLOP/s only.
func cpuTime() (time.Duration, bool) { return 0, false }
