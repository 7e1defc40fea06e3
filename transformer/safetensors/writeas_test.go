package safetensors

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// TestWriteAs: F32 and BF16 files read back as the nearest value of their
// type (BF16: within half a unit of the last of its 8 significant bits,
// ties to even), and the header names the dtype.
func TestWriteAs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := []float64{0, -0.0, 1, -1, 1.00390625, 1.01171875, 3.14159, 1e-3, 65504, 1e30}
	for range 1000 {
		data = append(data, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(10)-5)))
	}
	for _, dt := range []string{"F32", "BF16"} {
		path := filepath.Join(t.TempDir(), "w.safetensors")
		if err := WriteAs(path, dt, []Tensor{{Name: "w", Shape: []int{len(data)}, Data: data}}, nil); err != nil {
			t.Fatal(err)
		}
		got, _, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range data {
			g := got[0].Data[i]
			f := float64(float32(v))
			want := f
			if dt == "BF16" {
				// The two bfloat16 neighbours of f and the nearer one.
				bits := math.Float32bits(float32(v))
				lo := float64(math.Float32frombits(bits &^ 0xffff))
				hi := float64(math.Float32frombits((bits &^ 0xffff) + 0x10000))
				want = lo
				if d := math.Abs(f-hi) - math.Abs(f-lo); d < 0 || d == 0 && (bits>>16)&1 == 1 {
					want = hi
				}
			}
			if g != want {
				t.Errorf("%s: %v reads back as %v, want %v", dt, v, g, want)
				break
			}
		}
	}
	if err := WriteAs(filepath.Join(t.TempDir(), "x"), "I8", nil, nil); err == nil {
		t.Error("WriteAs I8: no error")
	}
}
