package hugepage

import "syscall"

// advise marks b (whole huge pages) MADV_HUGEPAGE. An error (a kernel
// without transparent huge pages) leaves the memory as it was, which is
// still correct: only slower.
func advise(b []byte) {
	_ = syscall.Madvise(b, madvHugepage)
}

// madvHugepage is MADV_HUGEPAGE (linux/mman.h), which package syscall
// does not name.
const madvHugepage = 14
