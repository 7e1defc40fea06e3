//go:build openblas

package transformer

// benchBackends with the openblas tag: OpenBLAS alone.
func benchBackends() []benchBackend {
	return []benchBackend{{Backend, func() func() { return func() {} }}}
}
