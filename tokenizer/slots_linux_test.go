package tokenizer

import (
	"testing"
	"unsafe"
)

// TestNewSlotsHugeAligned: on Linux a table of a huge page or more starts
// on a 2 MB boundary, or the kernel could not back it with huge pages.
func TestNewSlotsHugeAligned(t *testing.T) {
	s := newSlots(&vocab{}, hugePage/int(unsafe.Sizeof(slot{})))
	if a := uintptr(unsafe.Pointer(unsafe.SliceData(s))); a%hugePage != 0 {
		t.Errorf("table at %#x: not aligned to %d bytes", a, hugePage)
	}
}
