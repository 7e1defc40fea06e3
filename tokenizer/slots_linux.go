package tokenizer

import (
	"runtime"
	"syscall"
	"unsafe"
)

// The vocab's hash table is megabytes large and every lookup lands on a
// random slot of it, so with 4 KB pages nearly every first lookup also
// misses the TLB, the processor's cache of where pages are: o200k_base's
// 8 MB table spans 2,048 pages, about as many as a core's second-level
// TLB holds, and a text's lookups then wait on page walks as well as on
// memory. Go's heap does not ask Linux for huge pages, so a large table is
// mapped here on its own, aligned to 2 MB and marked MADV_HUGEPAGE: four
// pages for o200k_base. (Builds side by side, tick bench tokenizer
// --encoding o200k_base --scripts all: 5-9% faster on the Chinese,
// Japanese, Russian and Tamil samples met before, 3-17% on a first
// meeting.) The memory goes back to the system when the vocab is garbage.

const hugePage = 2 << 20

// newSlots returns a zeroed table of n slots for v.
func newSlots(v *vocab, n int) []slot {
	size := n * int(unsafe.Sizeof(slot{}))
	if size < hugePage {
		return make([]slot, n)
	}
	// Map one huge page more than needed, so that an aligned start fits.
	mem, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]slot, n) // the heap works too, only slower
	}
	skip := 0
	if r := uintptr(unsafe.Pointer(unsafe.SliceData(mem))) % hugePage; r != 0 {
		skip = int(hugePage - r)
	}
	table := mem[skip : skip+size]
	// Advice only: a kernel without transparent huge pages refuses, and
	// the table works the same on small pages.
	_ = syscall.Madvise(table, syscall.MADV_HUGEPAGE)
	runtime.AddCleanup(v, func(mem []byte) { _ = syscall.Munmap(mem) }, mem)
	return unsafe.Slice((*slot)(unsafe.Pointer(unsafe.SliceData(table))), n)
}
