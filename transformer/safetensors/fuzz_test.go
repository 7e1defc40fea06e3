package safetensors

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must never panic, and
// whatever it accepts must be self-consistent and survive Encode then Decode
// bit for bit (F32, F16 and BF16 values come back as the F64 they decoded to).
func FuzzDecode(f *testing.F) {
	for seed := range uint64(3) {
		var buf bytes.Buffer
		if err := Encode(&buf, testTensors(seed)[:seed+2], map[string]string{"format": "pt"}); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add(handWrittenFile())
	f.Add(fileOf(`{}`))
	f.Add(fileOf(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)...))
	f.Add(fileOf(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)...))
	f.Add(fileOf(`{"__metadata__":null,"e":{"dtype":"BF16","shape":[0,3],"data_offsets":[0,0]}}`))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		tensors, meta, err := Decode(data)
		if err != nil {
			return
		}
		agreeWithReference(t, data, tensors, meta)
		names := map[string]bool{}
		for _, tn := range tensors {
			n := 1
			for _, d := range tn.Shape {
				n *= d
			}
			if n != len(tn.Data) || names[tn.Name] {
				t.Fatalf("accepted an inconsistent tensor %q: shape %v, %d values, duplicate %v", tn.Name, tn.Shape, len(tn.Data), names[tn.Name])
			}
			names[tn.Name] = true
		}
		var buf bytes.Buffer
		if err := Encode(&buf, tensors, meta); err != nil {
			t.Fatalf("Decode accepted what Encode rejects: %v", err)
		}
		again, meta2, err := Decode(buf.Bytes())
		if err != nil {
			t.Fatalf("Decode rejects Encode's output: %v", err)
		}
		if len(again) != len(tensors) || len(meta2) != len(meta) {
			t.Fatalf("round trip changed the count: %d tensors, %d metadata -> %d, %d", len(tensors), len(meta), len(again), len(meta2))
		}
		for k, v := range meta {
			if meta2[k] != v {
				t.Fatalf("metadata %q: %q -> %q", k, v, meta2[k])
			}
		}
		byName := map[string]Tensor{}
		for _, tn := range again {
			byName[tn.Name] = tn
		}
		for _, tn := range tensors {
			g := byName[tn.Name]
			if !slices.Equal(g.Shape, tn.Shape) || !slices.EqualFunc(g.Data, tn.Data, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
				t.Fatalf("tensor %q changed in the round trip", tn.Name)
			}
		}
	})
}

// FuzzHeader fuzzes the JSON header alone, with a correct length prefix and
// a zeroed data section of the given size, so the fuzzer spends its time in
// the header checks rather than on inputs with a wrong length.
func FuzzHeader(f *testing.F) {
	f.Add(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}`, uint16(16))
	f.Add(`{"__metadata__":{"k":"v"},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]},"a":{"dtype":"F16","shape":[],"data_offsets":[4,6]}}`, uint16(6))
	f.Add(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}   `, uint16(0))
	f.Add(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, uint16(12))
	f.Fuzz(func(t *testing.T, header string, size uint16) {
		file := fileOf(header, make([]byte, size)...)
		tensors, meta, err := Decode(file)
		if err != nil {
			return
		}
		agreeWithReference(t, file, tensors, meta)
		total := 0
		for _, tn := range tensors {
			total += len(tn.Data)
		}
		if total > int(size) { // every value takes at least 2 bytes
			t.Fatalf("decoded %d values from %d bytes", total, size)
		}
	})
}
