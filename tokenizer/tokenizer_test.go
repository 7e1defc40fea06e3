package tokenizer

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestChar(t *testing.T) {
	corpus := "Hello, wörld! Ça va?\n"
	tok, err := NewChar(corpus)
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
	if _, err := NewChar("ab\xffcd"); err == nil || !strings.Contains(err.Error(), "offset 2") {
		t.Errorf("invalid UTF-8: error %v, want one giving offset 2", err)
	}
	if _, err := NewChar(""); err == nil {
		t.Error("empty corpus accepted")
	}
}

func TestByte(t *testing.T) {
	text := "ab\xff\x00é"
	var tok Byte
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
		tok, ts, err := Build(spec, corpus)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		dir := t.TempDir()
		if err := ts.Save(dir); err != nil {
			t.Fatal(err)
		}
		back, _, err := LoadSaved(dir)
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
	if _, _, err := Build("no-such-encoding", corpus); err == nil {
		t.Error("unknown tokenizer accepted")
	}
}
