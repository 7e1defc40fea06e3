package memory

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// machineLimit reads the three limits Linux puts on a process's memory and
// returns the smallest:
//
//   - MemTotal in /proc/meminfo, the machine's RAM. Not MemAvailable: that
//     is what is free at this moment, which other programs change from
//     second to second; refusing on it would make the same command pass or
//     fail depending on what else runs. MemTotal is a bound no run can
//     exceed (without swap, which makes a too-large run crawl rather than
//     fail), so a refusal on it is never wrong.
//   - the memory limit of the process's cgroup (a container's limit):
//     memory.max (cgroup v2) or memory.limit_in_bytes (v1), of its own
//     cgroup and those above it.
//   - the address-space limit (RLIMIT_AS, ulimit -v): an allocation
//     beyond it fails, whatever the RAM.
func machineLimit() (Limit, bool) {
	best := Limit{}
	consider := func(l Limit) {
		if l.Bytes > 0 && (best.Bytes == 0 || l.Free() < best.Free()) {
			best = l
		}
	}
	if b, ok := memTotal("/proc/meminfo"); ok {
		consider(Limit{Bytes: b, Source: "MemTotal in /proc/meminfo"})
	}
	if b, ok := cgroupLimit("/proc/self/cgroup", "/sys/fs/cgroup"); ok {
		consider(Limit{Bytes: b, Source: "the memory limit of its cgroup"})
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err == nil && rl.Cur != ^uint64(0) && rl.Cur < 1<<62 {
		// What the process has mapped counts against the limit already.
		mapped, _ := statusKB("/proc/self/status", "VmSize:")
		consider(Limit{Bytes: float64(rl.Cur), Source: "the address-space limit, ulimit -v", Mapped: mapped})
	}
	return best, best.Bytes > 0
}

// memTotal reads MemTotal (in kB) from a meminfo file, in bytes.
func memTotal(path string) (float64, bool) { return statusKB(path, "MemTotal:") }

// statusKB reads the field named key ("MemTotal:", "VmSize:"), a figure
// in kB, from a file of lines such as /proc/meminfo or /proc/self/status,
// in bytes.
func statusKB(path, key string) (float64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == key {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil || kb <= 0 {
				return 0, false
			}
			return kb * 1024, true
		}
	}
	return 0, false
}

// cgroupLimit returns the smallest memory limit set on the process's cgroup
// or any cgroup above it, reading the membership file self (/proc/self/cgroup)
// and the cgroup file systems under root (/sys/fs/cgroup). "max" and v1's
// huge "unlimited" value are no limit.
func cgroupLimit(self, root string) (float64, bool) {
	b, err := os.ReadFile(self)
	if err != nil {
		return 0, false
	}
	best := 0.0
	consider := func(path string) {
		raw, err := os.ReadFile(path)
		if err != nil {
			return
		}
		s := strings.TrimSpace(string(raw))
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 || v >= 1<<62 { // "max", or v1's 9223372036854771712
			return
		}
		if best == 0 || v < best {
			best = v
		}
	}
	// Each line is "hierarchy-ID:controllers:path"; v2 is "0::path".
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var dir, file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			dir, file = root, "memory.max"
		case strings.Contains(","+parts[1]+",", ",memory,"):
			dir, file = filepath.Join(root, "memory"), "memory.limit_in_bytes"
		default:
			continue
		}
		// The cgroup's own folder and each one above it, up to the root
		// of the mount (which, inside a container, is the container's).
		p := filepath.Clean("/" + parts[2])
		for {
			consider(filepath.Join(dir, p, file))
			if p == "/" {
				break
			}
			p = filepath.Dir(p)
		}
	}
	return best, best > 0
}
