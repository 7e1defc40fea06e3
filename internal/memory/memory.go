// Package memory estimates how much memory a model needs before it is
// built, and says how much this machine has, so that a command asked for
// a model or a batch far too large for the machine refuses at once with
// the figures, instead of allocating for minutes and dying out of memory
// with a goroutine dump.
//
// The estimates count the float64s the transformer package allocates
// (Model's parameters and gradients in model.go, the activations of a
// (B, T) batch in forward.go's activations, the key/value cache in
// cache.go), buffer by buffer; memory_test.go measures a real model
// against them.
package memory

import (
	"fmt"
	"runtime"

	"github.com/tick-llm/tick/transformer"
)

// Sizes are in bytes, as float64: products of flag values overflow int
// long before they stop being typos (--batch 1000000000 --dim 16384).
const (
	f64 = 8 // bytes of a float64
	i64 = 8 // bytes of an int (token ids, window starts)
)

// Params is the number of parameters of c as a float64 (transformer's own
// count, which cannot overflow).
func Params(c transformer.Config) float64 { return c.ParamCount() }

// Model is the bytes of a Model of configuration c: every parameter's
// value and gradient (two float64 each, model.go's newMatrix and
// newVector), and the RoPE tables (rope.go).
func Model(c transformer.Config) float64 {
	b := 2 * f64 * Params(c)
	if c.Positions == "rope" {
		b += 2 * f64 * float64(c.Context) * float64(c.Dim/max(c.Heads, 1)/2) // cos and sin, Context x hs/2 each
	}
	return b
}

// Activations is the bytes Forward allocates for a batch of B sequences of
// T tokens (and keeps for Backward) in float64 on GOMAXPROCS workers: see
// ActivationsOf.
func Activations(c transformer.Config, B, T int, dropout bool) float64 {
	return ActivationsOf(c, B, T, dropout, transformer.Float64, workers())
}

// ActivationsOf is the bytes Forward allocates for a batch of B sequences
// of T tokens computing in p on the given number of workers: forward.go's
// acts, buffer by buffer, with the dropout masks when dropout is on. The
// values take 4 bytes in float32 and 8 in float64; the norm statistics and
// the losses are float64 in both. A model keeps the buffers of its last
// two batch shapes.
func ActivationsOf(c transformer.Config, B, T int, dropout bool, p transformer.Precision, workers float64) float64 {
	b, t := float64(B), float64(T)
	n := b * t // rows
	L, D, F, V := float64(c.Layers), float64(c.Dim), float64(c.FFDim), float64(c.VocabSize)
	H, KV := float64(c.Heads), float64(c.KVHeads)
	W := (H + 2*KV) * float64(c.Dim/max(c.Heads, 1)) // qkv width
	floats := (L + 1) * n * D                        // res: the residual stream into each layer, and out of the last
	floats += 4 * L * n * D                          // mid, h1, h2, y
	floats += L * n * W                              // qkv
	floats += L * b * H * t * t                      // att: the softmax weights, B·H matrices of T x T per layer
	floats += 2 * L * n * F                          // up, act
	if c.MLP == "swiglu" {
		floats += L*n*F + n*F // gate, dgate
	} else {
		floats += L * n * F // geluS
	}
	floats += n * D           // hf
	floats += 2 * n * V       // logits, probs
	floats += n * D           // branch
	floats += 5 * n * D       // dres, dh, dbranch, dy, dhf
	floats += n * W           // dqkv
	floats += 2 * n * F       // dup, dact
	floats += n * V           // dlogits
	floats += workers * t * t // scratch: one T x T per worker
	if dropout {
		floats += (2*L + 1) * n * D // dropEmb, dropAttn, dropMLP
	}
	stats := 4*L*n + 2*n + n // mean1, rstd1, mean2, rstd2, meanF, rstdF, losses: float64 in both precisions
	ints := 2 * n            // ids, targetBuf
	return ValueBytes(p)*floats + f64*stats + i64*ints
}

// ValueBytes is the size of one value computed in p: 4 in float32, 8 in float64.
func ValueBytes(p transformer.Precision) float64 {
	if p == transformer.Float32 {
		return 4
	}
	return f64
}

// workers is the number of goroutines a model splits its work over
// (transformer's defaultWorkers), each with its own attention scratch.
func workers() float64 { return float64(runtime.GOMAXPROCS(0)) }

// Cache is the bytes of a key/value cache for generating with a model of
// configuration c (cache.go's NewCache): the keys and values of Context
// positions per layer, and one row's buffers.
func Cache(c transformer.Config) float64 {
	hs := float64(c.Dim / max(c.Heads, 1))
	kv := 2 * float64(c.Layers) * float64(c.Context) * float64(c.KVHeads) * hs
	row := 4*float64(c.Dim) + (float64(c.Heads)+2*float64(c.KVHeads))*hs + 3*float64(c.FFDim) + float64(c.Context) + float64(c.VocabSize) + 2
	return f64*(kv+row) + i64*float64(c.Context)
}

// Format writes a number of bytes for a person: "512 MB", "48 GB", "1.2 TB"
// (powers of 1000, two or three significant digits).
func Format(b float64) string {
	units := []string{"bytes", "KB", "MB", "GB", "TB", "PB", "EB"}
	i := 0
	for b >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%.0f bytes", b)
	case b < 10:
		return fmt.Sprintf("%.1f %s", b, units[i])
	}
	return fmt.Sprintf("%.0f %s", b, units[i])
}

// LiveHeap returns the bytes of live heap objects after a full garbage
// collection: what tests measure the estimates against.
func LiveHeap() float64 {
	runtime.GC()
	runtime.GC() // the first may leave objects freed by finalizers
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc)
}
