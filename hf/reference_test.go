package hf

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestMatchesHuggingFace loads the folders testdata/hf_reference.py wrote
// in Hugging Face's published layout (GPT-2: no "transformer." prefix, the
// attn.bias mask buffers, BF16, a tied head; Llama: two shards and an index,
// grouped-query attention, llama3 rope scaling over a sequence longer than
// its original context, a separate head) and compares tick's logits with
// those of the script's PyTorch transcription of Hugging Face's
// modeling_gpt2.py and modeling_llama.py.
func TestMatchesHuggingFace(t *testing.T) {
	for _, name := range []string{"gpt2-tiny", "llama-tiny"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			want := readExpected(t, dir)
			m, err := LoadModel(dir, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Forward(want.IDs, nil, 1, len(want.IDs)); err != nil {
				t.Fatal(err)
			}
			got := m.Logits()
			worst := 0.0
			for i, row := range want.Logits {
				for j, w := range row {
					worst = max(worst, math.Abs(got.At(i, j)-w))
				}
			}
			if worst > 1e-9 {
				t.Errorf("logits differ from Hugging Face's by up to %g", worst)
			}
		})
	}
}

// expected is what testdata/hf_reference.py wrote beside a folder: the ids
// it ran and Hugging Face's logits for them.
type expected struct {
	IDs    []int       `json:"ids"`
	Logits [][]float64 `json:"logits"`
}

func readExpected(t *testing.T, dir string) expected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}
