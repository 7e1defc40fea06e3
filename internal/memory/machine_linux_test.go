package memory

import (
	"strings"
	"syscall"
	"testing"
)

// TestAddressSpaceLimitCountsMapped: under ulimit -v the limit's free part
// is the limit less what the process has mapped already (VmSize), and a
// need that fits the limit but not its free part is refused.
func TestAddressSpaceLimitCountsMapped(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &old); err != nil {
		t.Fatal(err)
	}
	mapped, ok := statusKB("/proc/self/status", "VmSize:")
	if !ok || mapped <= 0 {
		t.Fatalf("VmSize of /proc/self/status: %v, %v", mapped, ok)
	}
	const room = 1 << 30 // far below the machine's memory, so this limit is the smallest
	lim := old
	lim.Cur = uint64(mapped) + room
	if lim.Cur > old.Max {
		t.Fatalf("the hard address-space limit %d is below this test's %d", old.Max, lim.Cur)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		t.Fatal(err)
	}
	l, ok := machineLimit()
	need := float64(lim.Cur) - float64(room)/2 // fits the limit, not what is left of it
	err := Check(need)
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &old); err != nil {
		t.Fatal(err)
	}
	if !ok || !strings.Contains(l.Source, "ulimit -v") || l.Bytes != float64(lim.Cur) {
		t.Fatalf("Machine under ulimit -v %d: %+v", lim.Cur, l)
	}
	if l.Mapped < mapped || l.Mapped > mapped+room/4 {
		t.Errorf("mapped %.0f bytes, VmSize said %.0f just before", l.Mapped, mapped)
	}
	if err == nil || !strings.Contains(err.Error(), "mapped already") {
		t.Errorf("Check(%.0f) under a limit of %d with %.0f mapped: %v, want a refusal naming what is mapped", need, lim.Cur, l.Mapped, err)
	}
}
