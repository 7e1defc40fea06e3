//go:build openblas

package transformer

// #cgo LDFLAGS: -lopenblas
import "C"
