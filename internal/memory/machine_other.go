//go:build !linux

package memory

// machineLimit knows no limit outside Linux: reading the memory size is
// different on every system (sysctl hw.memsize on macOS,
// GlobalMemoryStatusEx on Windows), and tick's checks are a courtesy, not
// a safeguard anything depends on. Without a figure nothing is refused.
func machineLimit() (Limit, bool) { return Limit{}, false }
