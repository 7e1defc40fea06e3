package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tick-llm/tick/internal/atomicfile"
)

// Tensor is one named array of float64 values.
type Tensor struct {
	Name  string
	Shape []int     // row-major; [] is a scalar
	Data  []float64 // len(Data) = product of Shape
}

// metadataKey is the header entry reserved for free-form string metadata.
const metadataKey = "__metadata__"

// Write stores tensors and metadata as an F64 safetensors file at path,
// atomically: it writes a temporary file in the same folder, syncs it to disk
// and renames it over path, so a crash leaves either the old file or the new
// one, never half of one. See Encode for the layout.
func Write(path string, tensors []Tensor, metadata map[string]string) error {
	return WriteAs(path, "F64", tensors, metadata)
}

// WriteAs is Write storing every value as dtype: "F64", "F32" (each value
// rounded to the nearest float32) or "BF16" (rounded to the nearest
// bfloat16, ties to even, as PyTorch converts): the forms Hugging Face
// checkpoints are published in.
func WriteAs(path, dtype string, tensors []Tensor, metadata map[string]string) error {
	enc, ok := encoders[dtype]
	if !ok {
		return fmt.Errorf("safetensors: write %s: dtype %q: tick writes F64, F32 or BF16", path, dtype)
	}
	header, err := encodeHeader(tensors, metadata, dtype, enc.size)
	if err != nil {
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	err = atomicfile.Write(path, func(w io.Writer) error { return writeFile(w, header, sortedByName(tensors), enc.put) })
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// Encode writes tensors and metadata to w in safetensors format, every value
// as F64. The output is deterministic: tensors are laid out sorted by name
// (header and data in the same order, offsets increasing from 0) and metadata
// keys are sorted, so the same tensors give the same bytes whatever order the
// caller lists them in; a file's checksum then changes only when a value does.
// Sorting by name is also the order Hugging Face's own serializer uses when
// all tensors share one dtype. The header is padded with spaces to a multiple
// of 8 bytes, so every F64 value starts 8-byte aligned in the file.
//
// Names must be unique, valid UTF-8 and not "__metadata__"; each tensor's
// Data must hold exactly the product of its Shape values.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata, "F64", 8)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := writeFile(w, header, sortedByName(tensors), encoders["F64"].put); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// writeFile writes the header length, the header and then the data of
// tensors, which must be in header order.
func writeFile(w io.Writer, header []byte, tensors []Tensor, put func([]byte, float64) []byte) error {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	buf := make([]byte, 0, 64<<10)
	for _, t := range tensors {
		for _, v := range t.Data {
			buf = put(buf, v)
			if len(buf) >= cap(buf)-8 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	_, err := w.Write(buf)
	return err
}

// sortedByName returns a copy of tensors sorted by name (the slice only; the
// data is shared).
func sortedByName(tensors []Tensor) []Tensor {
	s := slices.Clone(tensors)
	slices.SortFunc(s, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// encodeHeader checks tensors and metadata and returns the padded JSON
// header, in the same compact form Hugging Face's serializer writes:
// {"__metadata__":{...},"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},...}
func encodeHeader(tensors []Tensor, metadata map[string]string, dtype string, size int) ([]byte, error) {
	var h bytes.Buffer
	h.WriteByte('{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		writeString(&h, metadataKey)
		h.WriteString(":{")
		for i, k := range keys {
			v := metadata[k]
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, fmt.Errorf("metadata %q: %q: not valid UTF-8 (JSON can only hold text)", k, v)
			}
			if i > 0 {
				h.WriteByte(',')
			}
			writeString(&h, k)
			h.WriteByte(':')
			writeString(&h, v)
		}
		h.WriteByte('}')
	}
	var offset uint64
	sorted := sortedByName(tensors)
	for i, t := range sorted {
		if err := checkTensor(t); err != nil {
			return nil, err
		}
		if i > 0 && sorted[i-1].Name == t.Name {
			return nil, fmt.Errorf("tensor name %q appears twice; names must be unique", t.Name)
		}
		if i > 0 || len(metadata) > 0 {
			h.WriteByte(',')
		}
		writeString(&h, t.Name)
		fmt.Fprintf(&h, `:{"dtype":%q,"shape":[`, dtype)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			fmt.Fprint(&h, d)
		}
		end := offset + uint64(size)*uint64(len(t.Data))
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, offset, end)
		offset = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	if h.Len() > maxHeader {
		return nil, fmt.Errorf("header would be %d bytes, over the format's limit of %d; store fewer tensors per file", h.Len(), maxHeader)
	}
	return h.Bytes(), nil
}

// encoders are the dtypes WriteAs stores: the bytes per value and how a
// float64 is appended in that form.
var encoders = map[string]struct {
	size int
	put  func([]byte, float64) []byte
}{
	"F64": {8, func(b []byte, v float64) []byte { return binary.LittleEndian.AppendUint64(b, math.Float64bits(v)) }},
	"F32": {4, func(b []byte, v float64) []byte {
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
	}},
	"BF16": {2, func(b []byte, v float64) []byte { return binary.LittleEndian.AppendUint16(b, bfloat16(float32(v))) }},
}

// bfloat16 rounds a float32 to the nearest bfloat16 (its top 16 bits), ties
// to even; a NaN stays a NaN.
func bfloat16(f float32) uint16 {
	bits := math.Float32bits(f)
	if f != f {
		return uint16(bits>>16) | 0x40
	}
	round := uint32(0x7fff) + (bits>>16)&1
	return uint16((bits + round) >> 16)
}

// checkTensor reports why t cannot be written, if it cannot.
func checkTensor(t Tensor) error {
	if t.Name == metadataKey {
		return fmt.Errorf("tensor name %q is reserved for metadata; rename the tensor", t.Name)
	}
	if !utf8.ValidString(t.Name) {
		return fmt.Errorf("tensor name %q is not valid UTF-8", t.Name)
	}
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: shape %v has a negative dimension", t.Name, t.Shape)
		}
		if d != 0 && n > math.MaxInt/8/d {
			return fmt.Errorf("tensor %q: shape %v is too large", t.Name, t.Shape)
		}
		n *= d
	}
	if n != len(t.Data) {
		return fmt.Errorf("tensor %q: shape %v holds %d values but Data has %d", t.Name, t.Shape, n, len(t.Data))
	}
	return nil
}

// writeString writes s as a JSON string. HTML escaping is off so a name like
// "a<b" stays readable in the header.
func writeString(b *bytes.Buffer, s string) {
	e := json.NewEncoder(b)
	e.SetEscapeHTML(false)
	e.Encode(s)             // cannot fail for a string
	b.Truncate(b.Len() - 1) // Encode adds a newline
}
