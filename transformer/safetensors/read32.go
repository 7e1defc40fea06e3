package safetensors

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/tick-llm/tick/internal/hugepage"
)

// Tensor32 is a tensor read in float32 (ReadFloat32): Data holds the
// elements row-major in Shape.
type Tensor32 struct {
	Name  string
	Shape []int
	Data  []float32
}

// chunk is how many bytes ReadFloat32 reads at a time: a multiple of every
// element size, small next to any model.
const chunk = 1 << 20

// ReadFloat32 is Read for inference: each tensor is decoded straight into
// float32 (F32, F16 and BF16 exactly; F64 rounded to nearest), reading the
// file a chunk at a time, so the memory it takes is the tensors' float32
// values and no copy of the file nor float64 widening. The header and
// layout checks are Decode's.
func ReadFloat32(path string) ([]Tensor32, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %w", err)
	}
	tensors, metadata, err := read32(f, st.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return tensors, metadata, nil
}

func read32(r io.ReaderAt, size int64) ([]Tensor32, map[string]string, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, nil, formatError("file is %d bytes, shorter than the 8-byte header length (truncated or empty file?)", size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, nil, err
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeader {
		return nil, nil, formatError("header length %d is over the limit of %d bytes (not a safetensors file?)", n, maxHeader)
	}
	if n > uint64(size-8) {
		return nil, nil, formatError("header length %d goes beyond the end of the file (%d bytes after the length; truncated file?)", n, size-8)
	}
	header := make([]byte, n)
	if _, err := r.ReadAt(header, 8); err != nil {
		return nil, nil, err
	}
	entries, metadata, err := parseHeader(header)
	if err != nil {
		return nil, nil, err
	}
	body := int64(8 + n)
	if err := checkLayout(entries, int(size-body)); err != nil {
		return nil, nil, err
	}
	// One buffer for all the values, in huge pages: generation streams
	// every weight from memory once a token.
	sizes := make([]int, len(entries))
	for i, e := range entries {
		sizes[i] = (e.end - e.begin) / dtypes[e.dtype].size
	}
	bufs := hugepage.Float32Slices(sizes)
	buf := make([]byte, chunk)
	tensors := make([]Tensor32, len(entries))
	for i, e := range entries {
		dt := dtypes[e.dtype]
		values := bufs[i]
		for off := e.begin; off < e.end; off += chunk {
			raw := buf[:min(chunk, e.end-off)]
			if _, err := r.ReadAt(raw, body+int64(off)); err != nil {
				return nil, nil, fmt.Errorf("tensor %s: %w", e.name, err)
			}
			decode32(values[(off-e.begin)/dt.size:], raw, e.dtype, dt)
		}
		tensors[i] = Tensor32{Name: e.name, Shape: e.shape, Data: values}
	}
	return tensors, metadata, nil
}

// decode32 decodes raw, elements of the dtype called name, into dst. The two types weights
// ship in, F32 and BF16, are written out (a bfloat16 is the top half of a
// float32); the others go through the dtype's float64 decoder.
func decode32(dst []float32, raw []byte, name string, dt dtype) {
	n := len(raw) / dt.size
	switch name {
	case "F32":
		for j := range n {
			dst[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
	case "BF16":
		for j := range n {
			dst[j] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*j:])) << 16)
		}
	default:
		for j := range n {
			dst[j] = float32(dt.decode(raw[j*dt.size:]))
		}
	}
}
