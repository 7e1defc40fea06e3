package hf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkoukk/tiktoken-go-loader/assets"

	"github.com/tick-llm/tick/tokenizer"
)

// sample is a shorter text for the tests that load several tokenizers.
func sample(t testing.TB) string {
	t.Helper()
	texts := corpora(t)
	return texts["opticks"][:60_000] + texts["go sources"][:30_000] + multilingual
}

// TestWriteRoundTrip: what Write makes of a tick tokenizer loads back
// (through the "a b" merges form) and encodes exactly as the original, and
// its config files name the special tokens.
func TestWriteRoundTrip(t *testing.T) {
	text := sample(t)
	llamaDir := t.TempDir()
	cl, err := assets.Assets.ReadFile("cl100k_base.tiktoken")
	if err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(llamaDir, "tokenizer.model")
	if err := os.WriteFile(meta, cl, 0o644); err != nil {
		t.Fatal(err)
	}
	llama3, err := tokenizer.LoadLlama3(meta)
	if err != nil {
		t.Fatal(err)
	}
	r50k, err := tokenizer.Get("r50k_base")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		tok      tokenizer.Tokenizer
		eos, bos string
	}{
		{"r50k_base", tokenizer.ForEncoding(r50k), "<|endoftext|>", "<|endoftext|>"},
		{"llama3", tokenizer.ForEncoding(llama3), "<|end_of_text|>", "<|begin_of_text|>"},
		{"byte", tokenizer.Byte{}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "export")
			if err := Write(dir, c.tok, 1024); err != nil {
				t.Fatal(err)
			}
			back, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := c.tok.Encode(text)
			got, _ := back.Encode(text)
			diff(t, back.(*Tokenizer), c.name, got, want)
			if back.VocabSize() != c.tok.VocabSize() {
				t.Errorf("vocab %d, want %d", back.VocabSize(), c.tok.VocabSize())
			}
			var cfg map[string]any
			b, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &cfg); err != nil {
				t.Fatal(err)
			}
			eos, _ := cfg["eos_token"].(string)
			bos, _ := cfg["bos_token"].(string)
			if eos != c.eos || bos != c.bos || cfg["tokenizer_class"] != "PreTrainedTokenizerFast" || cfg["model_max_length"] != 1024.0 {
				t.Errorf("tokenizer_config.json: %v", cfg)
			}
			if eos != "" {
				id := back.(*Tokenizer).AddedTokens()[eos]
				if !back.(*Tokenizer).IsSpecial(id) || string(back.TokenBytes(id)) != eos {
					t.Errorf("%s is not special token %d after the round trip", eos, id)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "special_tokens_map.json")); err != nil {
				t.Error(err)
			}
		})
	}
	// A char tokenizer has no byte-level form: the error says what to do.
	ch, err := tokenizer.NewChar("hello")
	if err != nil {
		t.Fatal(err)
	}
	err = Write(t.TempDir(), ch, 0)
	if err == nil || !strings.Contains(err.Error(), "--tokenizer byte") {
		t.Errorf("char tokenizer: %v", err)
	}
}

// TestMetaFallback: a folder with only Meta's original/tokenizer.model
// loads as tick's llama3 encoding.
func TestMetaFallback(t *testing.T) {
	dir := t.TempDir()
	cl, err := assets.Assets.ReadFile("cl100k_base.tiktoken")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "original"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "original", "tokenizer.model"), cl, 0o644); err != nil {
		t.Fatal(err)
	}
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Name() != "llama3" || tok.VocabSize() != 100256+256 {
		t.Errorf("got %s with %d tokens", tok.Name(), tok.VocabSize())
	}
}

// TestGPT2Files: GPT-2's vocab.json + merges.txt, made as GPT-2's were (one
// merge per token: the last join byte-pair merging makes to reach it, as
// the older converter's bpe(max_rank) extracts it), with no ignore_merges,
// encode like r50k_base.
func TestGPT2Files(t *testing.T) {
	enc, err := tokenizer.Get("r50k_base")
	if err != nil {
		t.Fatal(err)
	}
	vocab := map[string]int{}
	var merges strings.Builder
	merges.WriteString("#version: 0.2\n")
	for id := range 50256 {
		b, _ := enc.TokenBytes(id)
		vocab[toByteLevel(b)] = id
		if len(b) == 1 {
			continue
		}
		parts := enc.MergeSteps(b, id, nil) // merging with older tokens only
		if len(parts) == 2 {
			l, _ := enc.TokenBytes(parts[0])
			r, _ := enc.TokenBytes(parts[1])
			merges.WriteString(toByteLevel(l) + " " + toByteLevel(r) + "\n")
		}
	}
	vocab["<|endoftext|>"] = 50256
	dir := t.TempDir()
	vb, _ := json.Marshal(vocab)
	if err := os.WriteFile(filepath.Join(dir, VocabJSON), vb, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, MergesTxt), []byte(merges.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := tok.(*Tokenizer)
	if h.IgnoreMerges() || !h.IsSpecial(50256) {
		t.Errorf("ignore_merges %v, <|endoftext|> special %v", h.IgnoreMerges(), h.IsSpecial(50256))
	}
	text := sample(t)
	got, _ := tok.Encode(text)
	diff(t, h, "vocab.json + merges.txt", got, enc.EncodeOrdinary(text))
	// Only one of the pair is an error that names the missing file.
	os.Remove(filepath.Join(dir, MergesTxt))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), MergesTxt) {
		t.Errorf("no merges.txt: %v", err)
	}
}
