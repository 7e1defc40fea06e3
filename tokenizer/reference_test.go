package tokenizer

import (
	"math/rand/v2"
	"strings"
	"testing"

	tiktoken "github.com/pkoukk/tiktoken-go"

	"github.com/tick-llm/tick/internal/goroot"
	"github.com/tick-llm/tick/internal/tiktokenref"
)

// The independent reference for every differential test is tiktoken-go,
// a Go port of tiktoken built on the regexp2 engine and the official rank
// files (loaded offline from the same embedded assets).

func refEncoding(t testing.TB, name string) *tiktoken.Tiktoken {
	t.Helper()
	ref, err := tiktokenref.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func mustGet(t testing.TB, name string) *Encoding {
	t.Helper()
	enc, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// opticks returns the first n bytes of Newton's Opticks from the Go
// distribution (all of it if n is 0). Every Go installation ships the book,
// so a missing file fails the test, with a message saying why; it returns ""
// then, so that the test's other texts are still checked.
func opticks(t testing.TB, n int) string {
	t.Helper()
	_, text, err := goroot.Opticks()
	if err != nil {
		t.Errorf("this test reads Newton's Opticks: %v", err)
		return ""
	}
	if n > 0 {
		text = text[:min(n, len(text))]
	}
	return string(text)
}

// goSources returns about n bytes of the Go standard library's sources, the
// same files in the same order on every run. If they cannot be read the test
// fails, and goSources returns "" so that its other texts are still checked.
func goSources(t testing.TB, n int) string {
	t.Helper()
	docs, err := goroot.Sources(n)
	if err != nil {
		t.Errorf("this test reads the Go sources: %v", err)
	}
	return strings.Join(docs, "")
}

// adversarial generates text built to trip up a pre-tokenizer: the corners
// of the split patterns (whitespace runs and lookahead, contractions in
// mixed case, digit runs, punctuation runs) and of Unicode (emoji with ZWJ,
// combining marks, CJK, right-to-left scripts, control characters, U+0085
// NEXT LINE, U+FEFF BYTE ORDER MARK). The same seed gives the same text.
func adversarial(seed uint64, n int) string {
	atoms := []string{
		" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "  \n\n  ", "\u00a0", "\u3000", "\v", "\f",
		"'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'LL", "'D", "DON'T", "we'LL", "I'M", "it's", "They'Re", "'", "''", "’s",
		"0", "7", "12", "123", "1234", "12345", "3.14159", "1,000,000", "٣٤٥", "²", "Ⅻ", "½",
		"!", "?!", "...", "—", "--", "->", "=>", ":=", "{}", "();", "//", "/*", "*/", "<|", "|>", "<|endoftext", "#", "@", "$$", "%", "^^^", "&&", "||", "``", "~",
		"a", "hello", "Hello", "HELLO", "hELLO", "naïve", "café", "Straße", "ǅ", "ǈungla", "ĳ", "ﬁ",
		"😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "❤️", "\u200d", "\u200b", "\u2060",
		"e\u0301", "a\u0308\u0304", "\u0301", "\u0915\u094d\u0937", "ก\u0e34",
		"中文", "日本語", "한국어", "漢字かなカナ", "ｆｕｌｌ", "ﾊﾝｶｸ",
		"مرحبا", "שלום", "עִבְרִית", "\u200f", "\u202e",
		"\x00", "\x01", "\x1b[31m", "\x7f", "\u0085", "\ufeff", "\u2028", "\u2029", "\ufffd",
		"𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𐍈", "\U0001f9d1\u200d\U0001f4bb",
	}
	r := rand.New(rand.NewPCG(seed, 0x7469636b))
	var sb strings.Builder
	for sb.Len() < n {
		a := atoms[r.IntN(len(atoms))]
		if r.IntN(8) == 0 {
			a = strings.Repeat(a, 2+r.IntN(20)) // runs
		}
		sb.WriteString(a)
	}
	return sb.String()
}

// diffIDs reports the first difference between two token sequences in a
// readable form.
func diffIDs(t *testing.T, enc *Encoding, label string, got, want []int) {
	t.Helper()
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i] == want[i] {
		i++
	}
	if i == n && len(got) == len(want) {
		return
	}
	lo, hi := max(0, i-3), i+3
	show := func(ids []int) string {
		var parts []string
		for _, id := range ids[lo:min(hi, len(ids))] {
			b, err := enc.TokenBytes(id)
			if err != nil {
				parts = append(parts, "?")
				continue
			}
			parts = append(parts, strings.ReplaceAll(string(b), "\n", `\n`))
		}
		return "[" + strings.Join(parts, "|") + "]"
	}
	t.Errorf("%s: token %d of %d/%d differs\n got %v %s\nwant %v %s", label, i, len(got), len(want),
		got[lo:min(hi, len(got))], show(got), want[lo:min(hi, len(want))], show(want))
}
