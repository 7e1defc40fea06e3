package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testTensors returns tensors covering the shapes the format allows: a
// matrix, a vector, a scalar (shape []), an empty tensor (a zero dimension),
// and values that must survive bit for bit (-0, NaN, infinities, subnormals).
func testTensors(seed uint64) []Tensor {
	rng := rand.New(rand.NewPCG(seed, 1))
	matrix := make([]float64, 3*5)
	for i := range matrix {
		matrix[i] = rng.NormFloat64()
	}
	return []Tensor{
		{Name: "transformer.h.0.attn.c_attn.weight", Shape: []int{3, 5}, Data: matrix},
		{Name: "special", Shape: []int{6}, Data: []float64{math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 5e-324, math.MaxFloat64}},
		{Name: "scalar", Shape: []int{}, Data: []float64{42}},
		{Name: "empty", Shape: []int{4, 0}, Data: nil},
		{Name: "a<b&c \"quoted\" ünïcode", Shape: []int{1, 1, 2}, Data: []float64{1, 2}},
	}
}

// sameTensors reports whether got equals want, comparing values bit for bit
// (so NaN equals NaN and -0 differs from 0) and ignoring order.
func sameTensors(t *testing.T, got, want []Tensor) {
	t.Helper()
	byName := map[string]Tensor{}
	for _, g := range got {
		byName[g.Name] = g
	}
	if len(byName) != len(want) || len(got) != len(want) {
		t.Fatalf("got %d tensors, want %d", len(got), len(want))
	}
	for _, w := range want {
		g, ok := byName[w.Name]
		if !ok {
			t.Fatalf("tensor %q missing", w.Name)
		}
		if !slices.Equal(g.Shape, w.Shape) {
			t.Errorf("%q: shape %v, want %v", w.Name, g.Shape, w.Shape)
		}
		if len(g.Data) != len(w.Data) {
			t.Fatalf("%q: %d values, want %d", w.Name, len(g.Data), len(w.Data))
		}
		for i := range w.Data {
			if math.Float64bits(g.Data[i]) != math.Float64bits(w.Data[i]) {
				t.Errorf("%q[%d] = %v, want %v", w.Name, i, g.Data[i], w.Data[i])
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	want := testTensors(1)
	meta := map[string]string{"format": "pt", "tick.config": `{"dim":128}`}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := Write(path, want, meta); err != nil {
		t.Fatal(err)
	}
	got, gotMeta, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, got, want)
	if len(gotMeta) != len(meta) {
		t.Errorf("metadata %v, want %v", gotMeta, meta)
	}
	for k, v := range meta {
		if gotMeta[k] != v {
			t.Errorf("metadata[%q] = %q, want %q", k, gotMeta[k], v)
		}
	}

	// The in-memory pair produces and accepts the same bytes as the file pair.
	var buf bytes.Buffer
	if err := Encode(&buf, want, meta); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), file) {
		t.Error("Encode and Write produced different bytes")
	}
	got, _, err = Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, got, want)
}

func TestRoundTripNoMetadata(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, meta, err := Decode(buf.Bytes())
	if err != nil || len(got) != 0 || meta == nil || len(meta) != 0 {
		t.Fatalf("Decode(empty file) = %v, %v, %v; want no tensors, empty non-nil metadata", got, meta, err)
	}
}

// TestWriteFollowsSpec reads Write's output with nothing but the spec: a
// generic JSON parser for the header and manual little-endian decoding.
func TestWriteFollowsSpec(t *testing.T) {
	tensors := testTensors(2)
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	n := binary.LittleEndian.Uint64(file)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	header := file[8 : 8+n]
	if header[0] != '{' {
		t.Errorf("header starts with %q, want '{'", header[0])
	}
	trimmed := bytes.TrimRight(header, " ")
	if len(header)-len(trimmed) >= 8 || trimmed[len(trimmed)-1] != '}' {
		t.Errorf("header %q: want JSON then fewer than 8 spaces", header)
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatal(err)
	}
	var meta map[string]string
	if err := json.Unmarshal(h["__metadata__"], &meta); err != nil || meta["k"] != "v" {
		t.Errorf("__metadata__ = %s, %v", h["__metadata__"], err)
	}
	// The order of keys in the header text must be sorted by name, and the
	// data offsets must follow the same order, contiguously from 0.
	names := slices.Collect(func(yield func(string) bool) {
		for _, tn := range tensors {
			if !yield(tn.Name) {
				return
			}
		}
	})
	slices.Sort(names)
	if order := topLevelKeys(t, header); !slices.Equal(order, append([]string{"__metadata__"}, names...)) {
		t.Errorf("header keys in order %q, want metadata then sorted names %q", order, names)
	}
	data := file[8+n:]
	offset := 0
	for _, name := range names {
		var info struct {
			Dtype       string
			Shape       []int
			DataOffsets [2]int `json:"data_offsets"`
		}
		if err := json.Unmarshal(h[name], &info); err != nil {
			t.Fatal(err)
		}
		var want Tensor
		for _, tn := range tensors {
			if tn.Name == name {
				want = tn
			}
		}
		if info.Dtype != "F64" || !slices.Equal(info.Shape, want.Shape) {
			t.Errorf("%q: dtype %s shape %v, want F64 %v", name, info.Dtype, info.Shape, want.Shape)
		}
		if info.DataOffsets != [2]int{offset, offset + 8*len(want.Data)} {
			t.Errorf("%q: data_offsets %v, want [%d %d]", name, info.DataOffsets, offset, offset+8*len(want.Data))
		}
		for i, v := range want.Data {
			bits := binary.LittleEndian.Uint64(data[offset+8*i:])
			if bits != math.Float64bits(v) {
				t.Errorf("%q[%d]: bits %x, want %x", name, i, bits, math.Float64bits(v))
			}
		}
		offset += 8 * len(want.Data)
	}
	if offset != len(data) {
		t.Errorf("data section is %d bytes, tensors cover %d", len(data), offset)
	}
}

// topLevelKeys lists the keys of a JSON object in the order of the text.
func topLevelKeys(t *testing.T, src []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(src))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		default:
			// At depth 1 the decoder alternates key, value; values at depth 1
			// are objects here, so every string token at depth 1 is a key.
			if s, ok := tok.(string); ok && depth == 1 {
				keys = append(keys, s)
			}
		}
	}
}

// TestDeterministic: the same tensors in any order and the same metadata
// give the same bytes.
func TestDeterministic(t *testing.T) {
	tensors := testTensors(3)
	meta := map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}
	var first []byte
	rng := rand.New(rand.NewPCG(3, 3))
	for range 10 {
		rng.Shuffle(len(tensors), func(i, j int) { tensors[i], tensors[j] = tensors[j], tensors[i] })
		var buf bytes.Buffer
		if err := Encode(&buf, tensors, meta); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = buf.Bytes()
		} else if !bytes.Equal(first, buf.Bytes()) {
			t.Fatal("Encode output depends on the order of the tensors")
		}
	}
}

// fileOf assembles a safetensors file by hand, as the spec describes it:
// the header length as 8 little-endian bytes, the header, then the data.
func fileOf(header string, data ...byte) []byte {
	n := len(header)
	file := []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24), 0, 0, 0, 0}
	file = append(file, header...)
	return append(file, data...)
}

// handWrittenFile is a safetensors file built byte by byte from the spec and
// the IEEE 754 encodings, not by Encode.
func handWrittenFile() []byte {
	// The header lists the tensors out of data order on purpose: order in
	// the header has no meaning, data_offsets do.
	header := `{"b16":{"dtype":"BF16","shape":[3],"data_offsets":[8,14]},` +
		`"__metadata__":{"format":"pt"},` +
		`"f32":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},` +
		`"h16":{"dtype":"F16","shape":[2,2],"data_offsets":[14,22]},` +
		`"f64":{"dtype":"F64","shape":[],"data_offsets":[22,30]}}  `
	return fileOf(header,
		0x00, 0x00, 0xC0, 0x3F, // F32 1.5   = 0x3FC00000
		0x00, 0x00, 0x80, 0xBE, // F32 -0.25 = 0xBE800000
		0x80, 0x3F, // BF16 1.0      = 0x3F80 (top half of F32 0x3F800000)
		0x20, 0xC0, // BF16 -2.5     = 0xC020 (F32 0xC0200000)
		0x49, 0x40, // BF16 3.140625 = 0x4049 (F32 0x40490000)
		0x00, 0x3C, // F16 1.0       = 0x3C00: exponent 15, mantissa 0
		0xFF, 0x7B, // F16 65504     = 0x7BFF: the largest finite half
		0x01, 0x00, // F16 2^-24     = 0x0001: the smallest subnormal
		0x00, 0xFC, // F16 -Inf      = 0xFC00
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0xBF, // F64 -1 = 0xBFF0000000000000
	)
}

// TestDecodeHandWritten decodes a file built byte by byte from the spec and
// the IEEE 754 encodings, not by Encode: the independent reference.
func TestDecodeHandWritten(t *testing.T) {
	file := handWrittenFile()
	tensors, meta, err := Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" || len(meta) != 1 {
		t.Errorf("metadata = %v", meta)
	}
	want := []Tensor{ // in data order
		{Name: "f32", Shape: []int{2}, Data: []float64{1.5, -0.25}},
		{Name: "b16", Shape: []int{3}, Data: []float64{1, -2.5, 3.140625}},
		{Name: "h16", Shape: []int{2, 2}, Data: []float64{1, 65504, 1.0 / (1 << 24), math.Inf(-1)}},
		{Name: "f64", Shape: []int{}, Data: []float64{-1}},
	}
	sameTensors(t, tensors, want)
	agreeWithReference(t, file, tensors, meta)
	for i := range want {
		if tensors[i].Name != want[i].Name {
			t.Errorf("tensor %d is %q, want %q (data order)", i, tensors[i].Name, want[i].Name)
		}
	}
}

// TestF16 checks the half-precision decoder on every one of the 65,536 bit
// patterns against properties IEEE 754 guarantees: positive patterns in
// increasing order are increasing values, the sign bit only negates, the
// spacing doubles at each binade, and a few exact values.
func TestF16(t *testing.T) {
	half := func(h uint16) float64 { return decodeF16([]byte{byte(h), byte(h >> 8)}) }
	prev := -1.0
	for h := uint16(0); h < 0x7C00; h++ { // all finite non-negative halves
		v := half(h)
		if !(v > prev) {
			t.Fatalf("half %#04x = %v is not above the previous %v", h, v, prev)
		}
		if neg := half(h | 0x8000); math.Float64bits(neg) != math.Float64bits(-v) {
			t.Fatalf("half %#04x = %v, want %v", h|0x8000, neg, -v)
		}
		// Within a binade consecutive halves are 2^(e-25) apart (2^-24 for subnormals).
		if h > 0 && h&0x3ff != 0 {
			exp := max(int(h>>10), 1)
			if step := v - prev; step != math.Ldexp(1, exp-25) {
				t.Fatalf("half %#04x: step %v, want 2^%d", h, step, exp-25)
			}
		}
		prev = v
	}
	for h, want := range map[uint16]float64{0x3C00: 1, 0xC000: -2, 0x3800: 0.5, 0x7BFF: 65504, 0x0400: math.Ldexp(1, -14), 0x7C00: math.Inf(1)} {
		if got := half(h); got != want {
			t.Errorf("half %#04x = %v, want %v", h, got, want)
		}
	}
	for _, h := range []uint16{0x7C01, 0x7E00, 0xFFFF} {
		if got := half(h); !math.IsNaN(got) {
			t.Errorf("half %#04x = %v, want NaN", h, got)
		}
	}
}

// TestDecodeErrors feeds malformed files and checks each error names the
// problem and wraps ErrFormat.
func TestDecodeErrors(t *testing.T) {
	f64 := make([]byte, 8)
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	beyond := make([]byte, 8)
	binary.LittleEndian.PutUint64(beyond, 100)
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty file", nil, "shorter than the 8-byte header length"},
		{"truncated length", []byte{1, 2, 3}, "shorter than the 8-byte header length"},
		{"header over limit", huge, "over the limit"},
		{"header beyond file", append(beyond, "{}"...), "beyond the end of the file"},
		{"not JSON", fileOf("{nope}"), "not valid JSON"},
		{"not an object", fileOf("[1,2]"), "does not start with '{'"},
		{"truncated JSON", fileOf(`{"a":{"dtype":"F64"`), "not valid JSON"},
		{"invalid UTF-8", fileOf("{\"\xff\":1}"), "not valid UTF-8"},
		{"junk after header", fileOf(`{} x`), "unexpected bytes after"},
		{"entry not object", fileOf(`{"a":5}`), "must be a JSON object"},
		{"unknown dtype", fileOf(`{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, make([]byte, 16)...), `unknown dtype "F128"`},
		{"unsupported dtype", fileOf(`{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, f64...), "dtype I64; tick reads only"},
		{"dtype not string", fileOf(`{"a":{"dtype":64,"shape":[1],"data_offsets":[0,8]}}`, f64...), "dtype must be a string"},
		{"missing dtype", fileOf(`{"a":{"shape":[1],"data_offsets":[0,8]}}`, f64...), "has no dtype"},
		{"missing shape", fileOf(`{"a":{"dtype":"F64","data_offsets":[0,8]}}`, f64...), "has no shape"},
		{"missing offsets", fileOf(`{"a":{"dtype":"F64","shape":[1]}}`, f64...), "has no data_offsets"},
		{"negative dim", fileOf(`{"a":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}}`, f64...), "-1 is negative"},
		{"fractional dim", fileOf(`{"a":{"dtype":"F64","shape":[1.5],"data_offsets":[0,8]}}`, f64...), "not a whole number"},
		{"shape not array", fileOf(`{"a":{"dtype":"F64","shape":"1","data_offsets":[0,8]}}`, f64...), "not an array of numbers"},
		{"shape overflow", fileOf(`{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, f64...), "more elements than fit"},
		{"bytes overflow", fileOf(`{"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}}`, f64...), "too many bytes"},
		{"shape/offset mismatch", fileOf(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}`, f64...), "needs 16 bytes but data_offsets [0, 8] span 8"},
		{"one offset", fileOf(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[8]}}`, f64...), "want [BEGIN, END]"},
		{"negative offset", fileOf(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[-8,0]}}`, f64...), "-8 is negative"},
		{"reversed offsets", fileOf(`{"a":{"dtype":"F64","shape":[0],"data_offsets":[8,0]}}`, f64...), "end before they begin"},
		{"out of range", fileOf(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}`, f64...), "beyond the 8-byte data section"},
		{"overlap", fileOf(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)...), `overlap tensor "a"`},
		{"same range twice", fileOf(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, f64...), "overlap"},
		{"hole", fileOf(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f64...), "belong to no tensor (a hole before \"a\")"},
		{"trailing bytes", fileOf(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f64...), "last 4 bytes of the data section belong to no tensor"},
		{"duplicate name", fileOf(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f64...), `key "a" twice`},
		{"duplicate by escape", fileOf(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\u0061":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f64...), `key "a" twice`},
		{"duplicate field", fileOf(`{"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}`, f64[:4]...), `key "dtype" twice`},
		{"metadata not strings", fileOf(`{"__metadata__":{"n":1}}`), "must be a string"},
		{"metadata not object", fileOf(`{"__metadata__":[1]}`), "must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := Decode(tt.file)
			if err == nil {
				t.Fatalf("Decode succeeded with %d tensors; want an error containing %q", len(got), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "safetensors: malformed safetensors: ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line starting with the package and ErrFormat", err)
			}
		})
	}
}

// TestDecodeReferenceExample decodes the example file from the reference
// implementation's documentation (an I32 tensor): tick does not read I32 and
// must say so rather than misread it.
func TestDecodeReferenceExample(t *testing.T) {
	file := append([]byte("<\x00\x00\x00\x00\x00\x00\x00"+`{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}`), make([]byte, 16)...)
	_, _, err := Decode(file)
	if err == nil || !strings.Contains(err.Error(), `tensor "test" has dtype I32`) {
		t.Errorf("Decode = %v, want an error naming dtype I32", err)
	}
	// The same layout as F32 is accepted: the checks pass on a valid file.
	file = bytes.Replace(file, []byte("I32"), []byte("F32"), 1)
	tensors, _, err := Decode(file)
	if err != nil || len(tensors) != 1 || !slices.Equal(tensors[0].Shape, []int{2, 2}) {
		t.Errorf("Decode(F32 version) = %v, %v", tensors, err)
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"short data", []Tensor{{Name: "a", Shape: []int{2, 2}, Data: []float64{1, 2, 3}}}, nil, "shape [2 2] holds 4 values but Data has 3"},
		{"negative dim", []Tensor{{Name: "a", Shape: []int{-1}}}, nil, "negative dimension"},
		{"duplicate", []Tensor{{Name: "a", Shape: []int{}, Data: []float64{1}}, {Name: "a", Shape: []int{}, Data: []float64{2}}}, nil, `"a" appears twice`},
		{"reserved name", []Tensor{{Name: "__metadata__", Shape: []int{}, Data: []float64{1}}}, nil, "reserved"},
		{"bad UTF-8 name", []Tensor{{Name: "\xff", Shape: []int{}, Data: []float64{1}}}, nil, "not valid UTF-8"},
		{"bad UTF-8 metadata", nil, map[string]string{"k": "\xff"}, "not valid UTF-8"},
		{"overflow", []Tensor{{Name: "a", Shape: []int{1 << 40, 1 << 40}}}, nil, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "m.safetensors")
			os.WriteFile(path, []byte("old"), 0o644)
			err := Write(path, tt.tensors, tt.meta)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write = %v, want an error containing %q", err, tt.want)
			}
			if err := Encode(&bytes.Buffer{}, tt.tensors, tt.meta); err == nil {
				t.Error("Encode accepted what Write rejected")
			}
			// A failed write leaves the old file untouched and no temporary file.
			if old, _ := os.ReadFile(path); string(old) != "old" {
				t.Errorf("old file changed to %q", old)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("folder holds %d files after a failed write, want 1", len(entries))
			}
		})
	}
}

// TestWriteReplaces: Write over an existing file replaces it and leaves
// no temporary file behind.
func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	for i := range 3 {
		want := []Tensor{{Name: "x", Shape: []int{1}, Data: []float64{float64(i)}}}
		if err := Write(path, want, nil); err != nil {
			t.Fatal(err)
		}
		got, _, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		sameTensors(t, got, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d files, want 1", len(entries))
	}
}

func TestWriteUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "m.safetensors")
	if err := Write(path, nil, nil); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Write into a missing folder = %v, want an error naming the path", err)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Read(filepath.Join(dir, "missing.safetensors")); err == nil || !strings.Contains(err.Error(), "missing.safetensors") {
		t.Errorf("Read(missing) = %v", err)
	}
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, []byte("hello"), 0o644)
	if _, _, err := Read(bad); err == nil || !strings.Contains(err.Error(), "bad.safetensors") || !strings.Contains(err.Error(), "shorter than") {
		t.Errorf("Read(bad) = %v", err)
	}
}
