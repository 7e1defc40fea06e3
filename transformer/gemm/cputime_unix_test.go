//go:build unix

package gemm

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used so far (user and system).
// On a machine shared with other work a benchmark's wall time counts the
// time other processes held the core; its CPU time does not.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
