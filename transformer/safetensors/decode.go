package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxHeader is the largest header accepted, the reference implementation's
// limit: a real header is at most a few MB, and a bigger claim is either a
// corrupt length or an attempt to make the reader allocate without bound.
const maxHeader = 100_000_000

// ErrFormat is wrapped by every error about a malformed file, so callers can
// tell "this is not a valid safetensors file" from an I/O failure.
var ErrFormat = errors.New("malformed safetensors")

// formatError returns an error wrapping ErrFormat with a message.
func formatError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Read loads every tensor of the safetensors file at path, converting F64,
// F32, F16 and BF16 values to float64, and its metadata (never nil). See
// Decode for the checks and the order of the result.
func Read(path string) ([]Tensor, map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %w", err)
	}
	tensors, metadata, err := decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return tensors, metadata, nil
}

// Decode parses a whole safetensors file held in memory. Tensors come back in
// the order of their data in the file (which for files from Write is sorted by
// name); metadata is never nil. Any malformed input is an error wrapping
// ErrFormat that names the problem; Decode does not panic.
func Decode(data []byte) ([]Tensor, map[string]string, error) {
	tensors, metadata, err := decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %w", err)
	}
	return tensors, metadata, nil
}

// entry is one tensor as the header describes it.
type entry struct {
	name       string
	dtype      string
	shape      []int
	begin, end int // byte range in the data section
}

func decode(data []byte) ([]Tensor, map[string]string, error) {
	if len(data) < 8 {
		return nil, nil, formatError("file is %d bytes, shorter than the 8-byte header length (truncated or empty file?)", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > maxHeader {
		return nil, nil, formatError("header length %d is over the limit of %d bytes (not a safetensors file?)", n, maxHeader)
	}
	if n > uint64(len(data)-8) {
		return nil, nil, formatError("header length %d goes beyond the end of the file (%d bytes after the length; truncated file?)", n, len(data)-8)
	}
	header, body := data[8:8+n], data[8+n:]
	entries, metadata, err := parseHeader(header)
	if err != nil {
		return nil, nil, err
	}
	if err := checkLayout(entries, len(body)); err != nil {
		return nil, nil, err
	}
	tensors := make([]Tensor, len(entries))
	for i, e := range entries {
		dt := dtypes[e.dtype]
		raw := body[e.begin:e.end]
		values := make([]float64, len(raw)/dt.size)
		for j := range values {
			values[j] = dt.decode(raw[j*dt.size:])
		}
		tensors[i] = Tensor{Name: e.name, Shape: e.shape, Data: values}
	}
	return tensors, metadata, nil
}

// parseHeader reads the JSON header: the tensor entries (each checked on its
// own: dtype, shape, byte count) and the metadata.
func parseHeader(header []byte) ([]entry, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, formatError("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, formatError("header does not start with '{' (not a safetensors file?)")
	}
	members, err := readObject(header, "header")
	if err != nil {
		return nil, nil, err
	}
	metadata := map[string]string{}
	var entries []entry
	for _, m := range members {
		if m.key == metadataKey {
			if metadata, err = parseMetadata(m.value); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(m.key, m.value)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	return entries, metadata, nil
}

// member is one key and its raw JSON value, in the order of the source.
type member struct {
	key   string
	value json.RawMessage
}

// readObject parses src, which must hold exactly one JSON object (plus
// whitespace), into its members. Go's map decoding would silently keep the
// last of two equal keys; the format forbids duplicates, so they are an error.
func readObject(src []byte, what string) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, formatError("%s is not valid JSON: %v", what, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, formatError("%s must be a JSON object; got %s", what, describe(tok))
	}
	var members []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, formatError("%s is not valid JSON: %v", what, err)
		}
		key, ok := tok.(string)
		if !ok { // the decoder rejects non-string keys itself; this is belt and braces
			return nil, formatError("%s has a key that is not a string", what)
		}
		if seen[key] {
			return nil, formatError("%s has the key %q twice; keys must be unique", what, key)
		}
		seen[key] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, formatError("%s: value of %q is not valid JSON: %v", what, key, err)
		}
		members = append(members, member{key, value})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, formatError("%s is not valid JSON: %v", what, err)
	}
	rest := src[dec.InputOffset():]
	if len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return nil, formatError("%s has %d unexpected bytes after its closing '}' (only space padding is allowed)", what, len(rest))
	}
	return members, nil
}

// describe names a JSON token for an error message.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return string(t)
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%v", tok)
}

// parseMetadata reads the "__metadata__" object: string keys to string
// values (null, the reference writer's "no metadata", gives an empty map).
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	metadata := map[string]string{}
	if string(raw) == "null" {
		return metadata, nil
	}
	members, err := readObject(raw, metadataKey)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		var s string
		if m.value[0] != '"' || json.Unmarshal(m.value, &s) != nil {
			return nil, formatError("%s value of %q must be a string; got %s", metadataKey, m.key, abbreviate(m.value))
		}
		metadata[m.key] = s
	}
	return metadata, nil
}

// parseEntry reads one tensor's {"dtype", "shape", "data_offsets"} and checks
// that the byte range has exactly the size the dtype and shape need.
func parseEntry(name string, raw json.RawMessage) (entry, error) {
	e := entry{name: name}
	members, err := readObject(raw, fmt.Sprintf("tensor %q", name))
	if err != nil {
		return e, err
	}
	var haveDtype, haveShape, haveOffsets bool
	for _, m := range members {
		switch m.key {
		case "dtype":
			if m.value[0] != '"' || json.Unmarshal(m.value, &e.dtype) != nil {
				return e, formatError("tensor %q: dtype must be a string; got %s", name, abbreviate(m.value))
			}
			haveDtype = true
		case "shape":
			if e.shape, err = parseInts(m.value); err != nil {
				return e, formatError("tensor %q: shape %s: %v", name, abbreviate(m.value), err)
			}
			haveShape = true
		case "data_offsets":
			offsets, err := parseInts(m.value)
			if err == nil && len(offsets) != 2 {
				err = fmt.Errorf("want [BEGIN, END], got %d numbers", len(offsets))
			}
			if err != nil {
				return e, formatError("tensor %q: data_offsets %s: %v", name, abbreviate(m.value), err)
			}
			e.begin, e.end = offsets[0], offsets[1]
			haveOffsets = true
		}
		// Other keys are ignored, as the reference implementation does.
	}
	switch {
	case !haveDtype:
		return e, formatError("tensor %q has no dtype", name)
	case !haveShape:
		return e, formatError("tensor %q has no shape", name)
	case !haveOffsets:
		return e, formatError("tensor %q has no data_offsets", name)
	}
	dt, known := dtypes[e.dtype]
	if !known {
		return e, formatError("tensor %q has unknown dtype %q", name, e.dtype)
	}
	if dt.decode == nil {
		return e, formatError("tensor %q has dtype %s; tick reads only F64, F32, F16 and BF16", name, e.dtype)
	}
	if e.end < e.begin {
		return e, formatError("tensor %q: data_offsets [%d, %d] end before they begin", name, e.begin, e.end)
	}
	// count = product of shape, times the element size, without overflow.
	count := uint64(1)
	for _, d := range e.shape {
		hi, lo := bits.Mul64(count, uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return e, formatError("tensor %q: shape %v has more elements than fit in an int", name, e.shape)
		}
		count = lo
	}
	hi, want := bits.Mul64(count, uint64(dt.size))
	if hi != 0 || want > math.MaxInt {
		return e, formatError("tensor %q: shape %v of %s is too many bytes", name, e.shape, e.dtype)
	}
	if got := uint64(e.end - e.begin); got != want {
		return e, formatError("tensor %q: shape %v of %s needs %d bytes but data_offsets [%d, %d] span %d", name, e.shape, e.dtype, want, e.begin, e.end, got)
	}
	return e, nil
}

// parseInts reads a JSON array of non-negative whole numbers that fit an int.
func parseInts(raw json.RawMessage) ([]int, error) {
	var numbers []json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if raw[0] != '[' || dec.Decode(&numbers) != nil {
		return nil, errors.New("not an array of numbers")
	}
	ints := make([]int, len(numbers))
	for i, s := range numbers {
		if strings.HasPrefix(string(s), "-") {
			return nil, fmt.Errorf("%s is negative", s)
		}
		v, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil || v > math.MaxInt {
			return nil, fmt.Errorf("%s is not a whole number that fits in 64 bits", s)
		}
		ints[i] = int(v)
	}
	return ints, nil
}

// checkLayout checks that the tensors' byte ranges tile the data section
// exactly: sorted by offset, each begins where the previous one ended, the
// first at 0 and the last at the end. This rules out ranges outside the file,
// overlapping tensors and bytes that belong to no tensor. It sorts entries
// into data order (ties, only possible between empty tensors, by name).
func checkLayout(entries []entry, size int) error {
	for _, e := range entries {
		if e.end > size {
			return formatError("tensor %q: data_offsets [%d, %d] go beyond the %d-byte data section (truncated file?)", e.name, e.begin, e.end, size)
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), strings.Compare(a.name, b.name))
	})
	pos, prev := 0, ""
	for _, e := range entries {
		switch {
		case e.begin < pos:
			return formatError("tensor %q: data_offsets [%d, %d] overlap tensor %q, which ends at %d", e.name, e.begin, e.end, prev, pos)
		case e.begin > pos:
			return formatError("bytes [%d, %d) of the data section belong to no tensor (a hole before %q)", pos, e.begin, e.name)
		}
		pos, prev = e.end, e.name
	}
	if pos != size {
		return formatError("the last %d bytes of the data section belong to no tensor", size-pos)
	}
	return nil
}

// abbreviate shortens a raw JSON value for an error message.
func abbreviate(raw json.RawMessage) string {
	const max = 40
	if len(raw) <= max {
		return string(raw)
	}
	return string(raw[:max]) + "..."
}
