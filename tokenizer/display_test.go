package tokenizer

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

func TestVisible(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{" a\tb\nc\r\n", "·a→b↵c␍↵"},
		{"\xe4\xb8", "<xe4><xb8>"},
		{"\u0301x", "◌\u0301x"},
		{"e\u0301", "e\u0301"},
		{"\x00\ufeff\u0085", "<U+0000><U+FEFF><U+0085>"},
		{"中文😀", "中文😀"},
		{"👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"}, // joins: drawn as one emoji
		{"a\u200db", "a<U+200D>b"},             // joins nothing: invisible
		{"👨\u200d", "👨<U+200D>"},               // the joined emoji is in the next token
		{"\u200d👩", "<U+200D>👩"},
	}
	for _, tt := range tests {
		if got := Visible([]byte(tt.in)); got != tt.want {
			t.Errorf("Visible(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTokens: offsets tile the decoded text and bytes match TokenBytes.
func TestTokens(t *testing.T) {
	enc := mustGet(t, "o200k_base")
	text := "hi <|endoftext|> 中文😀 \xff"
	ids, err := enc.Encode(text, SpecialAllow)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := enc.Tokens(ids)
	if err != nil {
		t.Fatal(err)
	}
	pos, specials := 0, 0
	for i, tok := range toks {
		if tok.ID != ids[i] || tok.Start != pos || text[tok.Start:tok.End] != string(tok.Bytes) {
			t.Fatalf("token %d = %+v, want id %d starting at %d", i, tok, ids[i], pos)
		}
		if tok.Special {
			specials++
		}
		pos = tok.End
	}
	if pos != len(text) || specials != 1 {
		t.Errorf("tokens cover %d of %d bytes with %d specials, want all and 1", pos, len(text), specials)
	}
	if _, err := enc.Tokens([]int{-1}); err == nil {
		t.Error("Tokens accepted id -1")
	}
}

func TestSuperscript(t *testing.T) {
	for n, want := range map[int]string{0: "⁰", 2: "²", 18: "¹⁸", 1234567890: "¹²³⁴⁵⁶⁷⁸⁹⁰", -3: "⁻³"} {
		if got := Superscript(n); got != want {
			t.Errorf("Superscript(%d) = %q, want %q", n, got, want)
		}
	}
}

// bytesTokens makes tokens of byte strings, as CharGroups reads them.
func bytesTokens(parts ...string) []Token {
	toks := make([]Token, len(parts))
	for i, p := range parts {
		toks[i] = Token{ID: i, Bytes: []byte(p)}
	}
	return toks
}

// groupTexts is each group's Text, and whether it is Split.
func groupTexts(groups []CharGroup) (texts []string, split []bool) {
	for _, g := range groups {
		texts = append(texts, string(g.Text))
		split = append(split, g.Split())
	}
	return texts, split
}

func TestCharGroups(t *testing.T) {
	tests := []struct {
		name  string
		parts []string // the tokens' bytes
		want  []string // the groups' texts
		split []bool
	}{
		{"whole tokens", []string{"hello", " world"}, []string{"hello", " world"}, []bool{false, false}},
		{"CJK in bytes", []string{"\xe6\x9d", "\xb1", "京"}, []string{"東", "京"}, []bool{true, false}},
		{"a character and part of the next", []string{"の\xe9", "\xa6", "\x96"}, []string{"の首"}, []bool{true}},
		{"accent in its own token", []string{"caf", "e", "\u0301", " x"}, []string{"caf", "e\u0301", " x"}, []bool{false, false, false}},
		// Code points are whole after 👨 and after each joiner, but the
		// family is one character: one group.
		{"ZWJ sequence", []string{"\xf0\x9f\x91", "\xa8", "\u200d", "\xf0\x9f\x91", "\xa9", " family"},
			[]string{"👨\u200d👩", " family"}, []bool{true, false}},
		// Regional indicators pair up from the start of the run: whether
		// 🇸|🇫 is a boundary depends on the indicators before it.
		{"flags", []string{"🇺", "🇸", "🇫", "🇷", "🇩"}, []string{"🇺🇸", "🇫🇷", "🇩"}, []bool{false, false, false}},
		// An invalid byte is a character of its own; it does not swallow
		// the rest of the text.
		{"invalid byte", []string{"a", "\xff", "b", "\xe4\xb8", "c"}, []string{"a", "\xff", "b", "\xe4\xb8", "c"}, []bool{false, false, false, false, false}},
		{"cut-off character at the end", []string{"x", "\xf0", "\x9f"}, []string{"x", "\xf0", "\x9f"}, []bool{false, false, false}},
		{"no tokens", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks := bytesTokens(tt.parts...)
			groups := CharGroups(toks)
			checkCharGroups(t, toks, groups)
			texts, split := groupTexts(groups)
			if strings.Join(texts, "|") != strings.Join(tt.want, "|") || len(texts) != len(tt.want) {
				t.Errorf("groups %q, want %q", texts, tt.want)
			}
			for i := range min(len(split), len(tt.split)) {
				if split[i] != tt.split[i] {
					t.Errorf("group %q: Split() = %v, want %v", texts[i], split[i], tt.split[i])
				}
			}
		})
	}
}

// TestCharGroupsFamily: the example of the issue. cl100k_base spells the
// family emoji in byte tokens; it is one group, every token but the last,
// and the word after it a group of its own.
func TestCharGroupsFamily(t *testing.T) {
	enc := mustGet(t, "cl100k_base")
	const family = "👨\u200d👩\u200d👧\u200d👦"
	ids := enc.EncodeOrdinary(family + " family")
	toks, err := enc.Tokens(ids)
	if err != nil {
		t.Fatal(err)
	}
	groups := CharGroups(toks)
	texts, _ := groupTexts(groups)
	if len(groups) != 2 || texts[0] != family || texts[1] != " family" || len(groups[1].Tokens) != 1 {
		t.Fatalf("groups %q, want the family and \" family\"", texts)
	}
	if !groups[0].Split() || len(groups[0].Tokens) != len(ids)-1 {
		t.Errorf("the family is %d tokens, Split %v; want all %d tokens before \" family\", split", len(groups[0].Tokens), groups[0].Split(), len(ids)-1)
	}
	if got := Visible(groups[0].Text); got != family {
		t.Errorf("Visible(family) = %q, want the emoji as it is", got)
	}
}

// TestCharGroupsProperties cuts texts into tokens, both by real encodings
// and at random byte offsets, and checks the properties of CharGroups.
func TestCharGroupsProperties(t *testing.T) {
	texts := []string{
		"Hello, world! 東京は日本の首都です。 नमस्ते दुनिया Привет",
		"I ❤️ Go 👋🏽 🧑\u200d💻 👨\u200d👩\u200d👧\u200d👦 🇺🇸🇫🇷🇩 1\ufe0f\u20e3 🏳\ufe0f\u200d🌈",
		"cafe\u0301 nai\u0308ve \r\n\t \u200b\ufeff \xff\xfe broken \xe4\xb8 and \xf0\x9f\x91",
		"Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319 \u0645\u0631\u062d\u0628\u0627 \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35",
	}
	for _, name := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		enc := mustGet(t, name)
		for _, text := range texts {
			toks, err := enc.Tokens(enc.EncodeOrdinary(text))
			if err != nil {
				t.Fatal(err)
			}
			checkCharGroups(t, toks, CharGroups(toks))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		toks := cutAnywhere(rng, []byte(texts[rng.IntN(len(texts))]), 6)
		checkCharGroups(t, toks, CharGroups(toks))
	}
}

// FuzzCharGroups: the properties hold for any bytes cut anywhere.
func FuzzCharGroups(f *testing.F) {
	f.Add([]byte("👨\u200d👩\u200d👧\u200d👦 family"), uint64(1))
	f.Add([]byte("\xe6\x9d\xb1\xe4\xba\xac \xff e\u0301"), uint64(2))
	f.Fuzz(func(t *testing.T, text []byte, seed uint64) {
		toks := cutAnywhere(rand.New(rand.NewPCG(seed, 0)), text, 5)
		checkCharGroups(t, toks, CharGroups(toks))
	})
}

// cutAnywhere cuts text into tokens of 1 to maxLen bytes at random
// offsets, inside characters or not.
func cutAnywhere(rng *rand.Rand, text []byte, maxLen int) []Token {
	var parts []string
	for len(text) > 0 {
		n := 1 + rng.IntN(min(len(text), maxLen))
		parts = append(parts, string(text[:n]))
		text = text[n:]
	}
	return bytesTokens(parts...)
}

// checkCharGroups checks groups against toks, with the grapheme cluster
// boundaries of the whole text found by uniseg's Graphemes iterator:
//   - the groups tile the tokens in order, and each Text is its tokens'
//     bytes joined;
//   - each group starts and ends on a cluster boundary: it is whole
//     characters, and if the text is valid UTF-8, so is each group;
//   - no group holds a token boundary that is also a cluster boundary: no
//     group can be cut into smaller runs of whole characters.
func checkCharGroups(t *testing.T, toks []Token, groups []CharGroup) {
	t.Helper()
	var text []byte
	for _, tok := range toks {
		text = append(text, tok.Bytes...)
	}
	boundary := map[int]bool{0: true, len(text): true}
	for g := uniseg.NewGraphemes(string(text)); g.Next(); {
		from, to := g.Positions()
		boundary[from], boundary[to] = true, true
	}
	next, pos := 0, 0 // the next token to see in a group, and its byte offset
	for _, g := range groups {
		if len(g.Tokens) == 0 {
			t.Fatalf("text %q: an empty group", text)
		}
		if next+len(g.Tokens) > len(toks) || &g.Tokens[0] != &toks[next] {
			t.Fatalf("text %q: group %q is not the tokens from %d on", text, g.Text, next)
		}
		if !boundary[pos] {
			t.Errorf("text %q: group %q starts at byte %d, inside a character", text, g.Text, pos)
		}
		var joined []byte
		for i, tok := range g.Tokens {
			if i > 0 && boundary[pos+len(joined)] {
				t.Errorf("text %q: group %q could be cut before token %q", text, g.Text, tok.Bytes)
			}
			joined = append(joined, tok.Bytes...)
		}
		if !bytes.Equal(joined, g.Text) {
			t.Errorf("text %q: group Text %q, its tokens spell %q", text, g.Text, joined)
		}
		if utf8.Valid(text) && !utf8.Valid(g.Text) {
			t.Errorf("text %q: group %q is not valid UTF-8", text, g.Text)
		}
		next += len(g.Tokens)
		pos += len(joined)
		if !boundary[pos] {
			t.Errorf("text %q: group %q ends at byte %d, inside a character", text, g.Text, pos)
		}
	}
	if next != len(toks) {
		t.Errorf("text %q: the groups hold %d of %d tokens", text, next, len(toks))
	}
}
