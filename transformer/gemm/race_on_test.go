//go:build race

package gemm

// raceEnabled: the test binary runs under the race detector, which makes
// sync.Pool drop items at random on purpose.
const raceEnabled = true
