package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/tokenizer"
)

// A .tiktoken vocabulary (here 256 bytes and 4 merges, with its sidecar)
// is copied into the run folder: after the original is deleted the model
// still loads with a tokenizer that encodes exactly as the original did.
func TestTokenizerFileTravelsWithRun(t *testing.T) {
	dir := t.TempDir()
	ranks := map[string]int{"th": 256, "he": 257, "the": 258, " the": 259}
	for b := range 256 {
		ranks[string([]byte{byte(b)})] = b
	}
	var buf bytes.Buffer
	if err := tokenizer.WriteRanks(&buf, ranks); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tiny.tiktoken")
	os.WriteFile(path, buf.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "tiny.json"), []byte(`{"pattern":"gpt2","special_tokens":{"<|endoftext|>":260}}`), 0o644)
	orig, _, err := tokenizer.Build(path, "")
	if err != nil {
		t.Fatal(err)
	}
	sample := "the theory of the light; <|endoftext|> Ωmega"
	want, _ := orig.Encode(sample)

	o := tinyOptions(t)
	o.Tokenizer, o.Steps, o.SampleTokens = path, 2, 8
	if _, err := Run(context.Background(), o, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	os.Remove(filepath.Join(dir, "tiny.json"))
	m, tok, err := checkpoint.LoadModel(o.Out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tok.Encode(sample)
	if err != nil || !slices.Equal(got, want) || tok.Name() != orig.Name() || tok.VocabSize() != 261 || m.Config.VocabSize != 261 {
		t.Errorf("loaded %s (%d tokens, model %d): %v (%v), want %s: %v", tok.Name(), tok.VocabSize(), m.Config.VocabSize, got, err, orig.Name(), want)
	}
	if !slices.Contains(want, 259) || string(tok.Decode(got)) != sample {
		t.Errorf("merges not used or round trip failed: %v -> %q", got, tok.Decode(got))
	}
}
