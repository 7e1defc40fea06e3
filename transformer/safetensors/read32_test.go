package safetensors

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestReadFloat32MatchesRead: every dtype tick writes comes back from
// ReadFloat32 as Read's float64 values rounded to float32 (exactly the file's
// values for F32 and BF16), including a tensor larger than one read
// chunk, so the chunk boundaries are crossed.
func TestReadFloat32MatchesRead(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	big := make([]float64, chunk/4+123) // over one chunk in F32, F64
	for i := range big {
		big[i] = rng.NormFloat64()
	}
	tensors := []Tensor{
		{Name: "a.weight", Shape: []int{3, 5}, Data: big[:15]},
		{Name: "big", Shape: []int{len(big)}, Data: big},
		{Name: "z.bias", Shape: []int{2}, Data: []float64{-1.5, 1e-3}},
	}
	// The dtypes tick writes; F16 shares its decoder with Read.
	for _, dtype := range []string{"F64", "F32", "BF16"} {
		t.Run(dtype, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.safetensors")
			if err := WriteAs(path, dtype, tensors, map[string]string{"k": "v"}); err != nil {
				t.Fatal(err)
			}
			want, wantMeta, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			got, meta, err := ReadFloat32(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || meta["k"] != wantMeta["k"] {
				t.Fatalf("%d tensors, metadata %v; want %d, %v", len(got), meta, len(want), wantMeta)
			}
			for i := range want {
				if got[i].Name != want[i].Name || len(got[i].Data) != len(want[i].Data) {
					t.Fatalf("tensor %d: %s with %d values, want %s with %d", i, got[i].Name, len(got[i].Data), want[i].Name, len(want[i].Data))
				}
				for j, v := range want[i].Data {
					if got[i].Data[j] != float32(v) {
						t.Fatalf("%s[%d] = %g, want %g", want[i].Name, j, got[i].Data[j], float32(v))
					}
				}
			}
		})
	}
}

// TestReadFloat32Errors: a malformed file is the same ErrFormat error as
// Decode's, and a missing file an I/O error, never a panic.
func TestReadFloat32Errors(t *testing.T) {
	var good bytes.Buffer
	if err := Encode(&good, []Tensor{{Name: "w", Shape: []int{4}, Data: []float64{1, 2, 3, 4}}}, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": good.Bytes()[:good.Len()-3],
		"header":    append([]byte{0xff, 0xff, 0, 0, 0, 0, 0, 0}, good.Bytes()[8:]...),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ReadFloat32(path); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, want one wrapping ErrFormat", name, err)
		}
	}
	if _, _, err := ReadFloat32(filepath.Join(dir, "missing")); err == nil || errors.Is(err, ErrFormat) {
		t.Errorf("missing file: error %v, want an I/O error", err)
	}
}

// FuzzReadFloat32 checks that the streaming float32 reader accepts exactly
// the inputs Decode accepts, with the same values rounded to float32.
func FuzzReadFloat32(f *testing.F) {
	var good bytes.Buffer
	if err := Encode(&good, []Tensor{{Name: "w", Shape: []int{2, 2}, Data: []float64{1, -2, 3.5, 4e-3}}}, map[string]string{"a": "b"}); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte{})
	f.Add(good.Bytes()[:20])
	f.Fuzz(func(t *testing.T, data []byte) {
		want, _, errWant := Decode(data)
		got, _, errGot := read32(bytes.NewReader(data), int64(len(data)))
		if (errWant == nil) != (errGot == nil) {
			t.Fatalf("Decode error %v, read32 error %v", errWant, errGot)
		}
		for i := range want {
			for j, v := range want[i].Data {
				if g := got[i].Data[j]; g != float32(v) && !(g != g && v != v) {
					t.Fatalf("%s[%d] = %g, want %g", want[i].Name, j, g, float32(v))
				}
			}
		}
	})
}
