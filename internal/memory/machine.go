package memory

import "fmt"

// Limit is the memory this process can use, and where that figure comes
// from.
type Limit struct {
	Bytes  float64
	Source string // e.g. "MemTotal in /proc/meminfo", "its cgroup's memory limit"
	// Mapped is the part of Bytes the process had taken when the limit
	// was read: for an address-space limit, everything it has mapped (a Go
	// program maps about a gigabyte of address space before it allocates
	// anything); 0 for the limits on memory in use.
	Mapped float64
}

// String writes the limit for a message: "24 GB (MemTotal in /proc/meminfo)",
// "2.0 GB (the address-space limit, ulimit -v), 1.2 GB of it mapped already".
func (l Limit) String() string {
	s := fmt.Sprintf("%s (%s)", Format(l.Bytes), l.Source)
	if l.Mapped > 0 {
		s += fmt.Sprintf(", %s of it mapped already", Format(l.Mapped))
	}
	return s
}

// Free is what is left of the limit for new allocations.
func (l Limit) Free() float64 { return l.Bytes - l.Mapped }

// machine is Machine; tests of the packages that use this one replace it
// through SetMachineForTest.
var machine = machineLimit

// Machine returns the memory this process can use, when this system says:
// on Linux the smallest of the machine's memory, its cgroup's limit and
// its address-space limit (ulimit -v). ok is false where none is known
// (other systems), and then no estimate is refused.
func Machine() (l Limit, ok bool) { return machine() }

// SetMachineForTest makes Machine report l (ok false: nothing known) until
// the returned function restores it. Only tests call it: they check a
// refusal for a small pretend machine without allocating the big block.
func SetMachineForTest(l Limit, ok bool) (restore func()) {
	old := machine
	machine = func() (Limit, bool) { return l, ok }
	return func() { machine = old }
}

// Check returns nil if need bytes fit in this process's memory, else an
// error such as "needs 48 GB, but this machine has 24 GB (MemTotal in
// /proc/meminfo)" for the caller to complete with what to lower.
func Check(need float64) error {
	l, ok := Machine()
	if !ok || need <= l.Free() {
		return nil
	}
	return &TooLargeError{Need: need, Have: l}
}

// TooLargeError says that an estimate exceeds the memory there is.
type TooLargeError struct {
	Need float64
	Have Limit
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("needs about %s of memory, but this machine has %s", Format(e.Need), e.Have)
}
