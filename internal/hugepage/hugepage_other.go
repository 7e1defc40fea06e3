//go:build !linux

package hugepage

// advise does nothing here: only Linux has transparent huge pages.
func advise(b []byte) {}
