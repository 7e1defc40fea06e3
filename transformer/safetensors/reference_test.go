package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	ref "github.com/nlpodyssey/safetensors"
)

// The reference here is github.com/nlpodyssey/safetensors, an independent Go
// port of Hugging Face's Rust implementation (same layout rules, same
// validation). It is used by tests only.

// refF64 builds a reference tensor view of float64 values.
func refF64(t testing.TB, shape []int, data []float64) ref.TensorView {
	raw := make([]byte, 0, 8*len(data))
	for _, v := range data {
		raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
	}
	return refView(t, ref.F64, shape, raw)
}

func refView(t testing.TB, dt ref.DType, shape []int, raw []byte) ref.TensorView {
	t.Helper()
	s := make([]uint64, len(shape))
	for i, d := range shape {
		s[i] = uint64(d)
	}
	v, err := ref.NewTensorView(dt, s, raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEncodeMatchesReference: for F64 tensors our writer produces exactly the
// bytes the reference serializer produces (names are lower-case and free of
// <>&, where the two JSON encoders agree on key order and escaping). No
// scalar here: the reference's NewTensorView counts 0 elements for shape [],
// where the format (and the Rust original) count 1.
func TestEncodeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var tensors []Tensor
	views := map[string]ref.TensorView{}
	for i, name := range []string{"model.norm.weight", "lm_head.weight", "model.layers.0.self_attn.q_proj.weight", "model.embed_tokens.weight", "empty"} {
		shape := [][]int{{7}, {5, 7}, {7, 7}, {5, 7}, {0, 3}}[i]
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float64, n)
		for j := range data {
			data[j] = rng.NormFloat64()
		}
		tensors = append(tensors, Tensor{Name: name, Shape: shape, Data: data})
		views[name] = refF64(t, shape, data)
	}
	meta := map[string]string{"format": "pt", "source": "tick"}
	want, err := ref.Serialize(views, meta)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := Encode(&got, tensors, meta); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("Encode differs from the reference serializer:\n got %q\nwant %q", got.Bytes()[:min(200, got.Len())], want[:min(200, len(want))])
	}
}

// TestDecodeReferenceFiles reads files the reference writes with mixed
// dtypes (which it lays out by dtype size, then name: not our order).
func TestDecodeReferenceFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	want := map[string][]float64{}
	views := map[string]ref.TensorView{}
	for i := range 20 {
		name := string(rune('a'+i)) + ".weight"
		shape := []int{1 + rng.IntN(4), 1 + rng.IntN(5)}
		n := shape[0] * shape[1]
		values := make([]float64, n)
		var raw []byte
		var dt ref.DType
		switch i % 3 {
		case 0: // F64: any value
			dt = ref.F64
			for j := range values {
				values[j] = rng.NormFloat64()
				raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(values[j]))
			}
		case 1: // F32: float64 of a float32 is exact
			dt = ref.F32
			for j := range values {
				f := float32(rng.NormFloat64())
				values[j] = float64(f)
				raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(f))
			}
		case 2: // BF16: a float32 whose low 16 bits are zero, stored as its high half
			dt = ref.BF16
			for j := range values {
				bitsF32 := math.Float32bits(float32(rng.NormFloat64())) &^ 0xffff
				values[j] = float64(math.Float32frombits(bitsF32))
				raw = binary.LittleEndian.AppendUint16(raw, uint16(bitsF32>>16))
			}
		}
		want[name] = values
		views[name] = refView(t, dt, shape, raw)
	}
	file, err := ref.Serialize(views, map[string]string{"format": "pt"})
	if err != nil {
		t.Fatal(err)
	}
	tensors, meta, err := Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" || len(tensors) != len(want) {
		t.Fatalf("got %d tensors and metadata %v", len(tensors), meta)
	}
	for _, tn := range tensors {
		if !slices.Equal(tn.Data, want[tn.Name]) {
			t.Errorf("%s = %v, want %v", tn.Name, tn.Data, want[tn.Name])
		}
		if !slices.Equal(tn.Shape, []int{int(views[tn.Name].Shape()[0]), int(views[tn.Name].Shape()[1])}) {
			t.Errorf("%s: shape %v", tn.Name, tn.Shape)
		}
	}
}

// agreeWithReference checks a file we accepted against the reference reader:
// it must accept it too, with the same names, shapes and the same bytes for
// every tensor (we compare our values with its raw bytes decoded by dtype).
func agreeWithReference(t *testing.T, file []byte, tensors []Tensor, meta map[string]string) {
	st, err := ref.Deserialize(file)
	if err != nil {
		t.Fatalf("we accepted a file the reference rejects: %v", err)
	}
	if st.Len() != len(tensors) {
		t.Fatalf("reference sees %d tensors, we see %d", st.Len(), len(tensors))
	}
	for _, tn := range tensors {
		v, ok := st.Tensor(tn.Name)
		if !ok {
			t.Fatalf("reference has no tensor %q", tn.Name)
		}
		shape := make([]int, len(v.Shape()))
		for i, d := range v.Shape() {
			shape[i] = int(d)
		}
		if !slices.Equal(shape, tn.Shape) {
			t.Fatalf("%q: reference shape %v, ours %v", tn.Name, shape, tn.Shape)
		}
		dt := dtypes[v.DType().String()]
		if dt.decode == nil || len(v.Data()) != dt.size*len(tn.Data) {
			t.Fatalf("%q: reference dtype %v with %d bytes", tn.Name, v.DType(), len(v.Data()))
		}
		for i, x := range tn.Data {
			if y := dt.decode(v.Data()[i*dt.size:]); math.Float64bits(x) != math.Float64bits(y) {
				t.Fatalf("%q[%d]: reference bytes give %v, we read %v", tn.Name, i, y, x)
			}
		}
	}
	_, header, err := ref.ReadMetadata(file)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range meta {
		if header.Metadata()[k] != v {
			t.Fatalf("metadata %q: reference %q, ours %q", k, header.Metadata()[k], v)
		}
	}
}
