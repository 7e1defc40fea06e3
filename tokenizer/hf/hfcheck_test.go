package hf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pkoukk/tiktoken-go-loader/assets"

	"github.com/tick-llm/tick/tokenizer"
)

// fixtureText is what testdata/hf_tokenizers.js encoded: a part of
// Opticks and the multilingual lines.
func fixtureText(t testing.TB) string {
	return corpora(t)["opticks"][:20_000] + multilingual
}

// fixtureTokenizers are the tick tokenizers whose export Hugging Face's
// library encoded.
func fixtureTokenizers(t testing.TB) map[string]tokenizer.Tokenizer {
	t.Helper()
	out := map[string]tokenizer.Tokenizer{}
	for _, name := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		enc, err := tokenizer.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = tokenizer.ForEncoding(enc)
	}
	cl, err := assets.Assets.ReadFile("cl100k_base.tiktoken")
	if err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(t.TempDir(), "tokenizer.model")
	if err := os.WriteFile(meta, cl, 0o644); err != nil {
		t.Fatal(err)
	}
	llama3, err := tokenizer.LoadLlama3(meta)
	if err != nil {
		t.Fatal(err)
	}
	out["llama3"] = tokenizer.ForEncoding(llama3)
	out["byte"] = tokenizer.Byte{}
	return out
}

// TestHFTokenizersFixture: Hugging Face's own tokenizers library (Rust,
// run by testdata/hf_tokenizers.js) loads the tokenizer.json files Write
// exports, and its IDs for the fixture text are those of tick's tokenizer
// and of tick's Load of the same files. With TICK_HF_FIXTURE=DIR it writes
// the exports and the text into DIR for the script.
func TestHFTokenizersFixture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "hf_tokenizers_ids.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fixture struct {
		Version string           `json:"tokenizers_version"`
		IDs     map[string][]int `json:"ids"`
	}
	if err := json.Unmarshal(b, &fixture); err != nil {
		t.Fatal(err)
	}
	text := fixtureText(t)
	out := os.Getenv("TICK_HF_FIXTURE")
	if out != "" {
		if err := os.WriteFile(filepath.Join(out, "text.txt"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	toks := fixtureTokenizers(t)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range toks {
			if !yield(k) {
				return
			}
		}
	}) {
		tok := toks[name]
		dir := filepath.Join(t.TempDir(), name)
		if out != "" {
			dir = filepath.Join(out, name)
		}
		if err := Write(dir, tok, 0); err != nil {
			t.Fatal(err)
		}
		want, ok := fixture.IDs[name]
		if !ok {
			t.Errorf("%s: not in testdata/hf_tokenizers_ids.json; regenerate it (see testdata/hf_tokenizers.js)", name)
			continue
		}
		back, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		mine, _ := tok.Encode(text)
		loaded, _ := back.Encode(text)
		diff(t, back.(*Tokenizer), name+": tick vs Hugging Face tokenizers "+fixture.Version, mine, want)
		diff(t, back.(*Tokenizer), name+": tick's Load of the export vs Hugging Face", loaded, want)
	}
}
