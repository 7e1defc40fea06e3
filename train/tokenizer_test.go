package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer"
)

func TestCharTokenizer(t *testing.T) {
	corpus := "Hello, wörld! Ça va?\n"
	tok, err := NewCharTokenizer(corpus)
	if err != nil {
		t.Fatal(err)
	}
	// Reference: the distinct characters, sorted as strings (UTF-8 byte
	// order equals code-point order).
	var want []string
	for _, r := range corpus {
		if !slices.Contains(want, string(r)) {
			want = append(want, string(r))
		}
	}
	sort.Strings(want)
	if got := tok.Chars(); got != strings.Join(want, "") {
		t.Errorf("alphabet %q, want %q", got, strings.Join(want, ""))
	}
	if tok.VocabSize() != len(want) {
		t.Errorf("vocab %d, want %d", tok.VocabSize(), len(want))
	}
	ids, err := tok.Encode(corpus)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len([]rune(corpus)) {
		t.Errorf("%d ids for %d characters", len(ids), len([]rune(corpus)))
	}
	if got := tok.Decode(ids); string(got) != corpus {
		t.Errorf("round trip %q, want %q", got, corpus)
	}
	var joined []byte
	for _, id := range ids {
		joined = append(joined, tok.TokenBytes(id)...)
	}
	if !bytes.Equal(joined, []byte(corpus)) {
		t.Errorf("TokenBytes joined %q, want %q", joined, corpus)
	}
	// Characters outside the alphabet are named.
	_, err = tok.Encode("Hello€ zz€")
	if err == nil || !strings.Contains(err.Error(), `'€' (U+20AC)`) || !strings.Contains(err.Error(), `'z' (U+007A)`) {
		t.Errorf("unknown characters: error %v, want one naming '€' and 'z'", err)
	}
	if _, err := NewCharTokenizer("ab\xffcd"); err == nil || !strings.Contains(err.Error(), "offset 2") {
		t.Errorf("invalid UTF-8: error %v, want one giving offset 2", err)
	}
	if _, err := NewCharTokenizer(""); err == nil {
		t.Error("empty corpus accepted")
	}
}

func TestByteTokenizer(t *testing.T) {
	text := "ab\xff\x00é"
	var tok ByteTokenizer
	ids, _ := tok.Encode(text)
	if len(ids) != len(text) || ids[2] != 0xff || ids[3] != 0 {
		t.Errorf("ids %v for %q", ids, text)
	}
	if string(tok.Decode(ids)) != text {
		t.Errorf("round trip failed")
	}
}

// A saved tokenizer loads back as the same mapping, for every kind.
func TestTokenizerSaveLoad(t *testing.T) {
	corpus := "the quick brown fox, jumps over the lazy dog; ça!"
	for _, spec := range []string{"char", "byte", "r50k_base"} {
		tok, ts, err := newTokenizer(spec, corpus)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		dir := t.TempDir()
		if err := ts.save(dir); err != nil {
			t.Fatal(err)
		}
		back, _, err := loadTokenizer(dir)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		a, _ := tok.Encode(corpus)
		b, err := back.Encode(corpus)
		if err != nil || !slices.Equal(a, b) || back.VocabSize() != tok.VocabSize() || back.Name() != tok.Name() {
			t.Errorf("%s: loaded tokenizer differs: %v vs %v (%v)", spec, b, a, err)
		}
		if string(back.Decode(b)) != corpus {
			t.Errorf("%s: decode %q", spec, back.Decode(b))
		}
	}
	if _, err := NewTokenizer("no-such-encoding", corpus); err == nil {
		t.Error("unknown tokenizer accepted")
	}
}

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
	orig, err := NewTokenizer(path, "")
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
	m, tok, err := LoadModel(o.Out)
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
