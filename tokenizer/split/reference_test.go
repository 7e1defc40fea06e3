package split

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/dlclark/regexp2"

	"github.com/tick-llm/tick/internal/goroot"
)

// This file holds what the tests compare against: the official patterns run
// by regexp2 (as tiktoken-go runs them), and the texts to run them on.

var patterns = []Pattern{GPT2, CL100K, O200K}

var (
	referenceOnce sync.Once
	referenceRe   map[Pattern]*regexp2.Regexp
)

// reference returns the regexp2 engine for p's official pattern.
func reference(p Pattern) *regexp2.Regexp {
	referenceOnce.Do(func() {
		referenceRe = map[Pattern]*regexp2.Regexp{}
		for _, q := range patterns {
			referenceRe[q] = regexp2.MustCompile(q.Regexp(), regexp2.None)
		}
	})
	return referenceRe[p]
}

// decodeRunes decodes text the way Go converts a string to []rune (each
// invalid byte becomes one U+FFFD) and returns the runes and the byte offset
// of each, plus len(text) at the end.
//
// A character Unicode 16.0 added is replaced by a stand-in that Go's 15.0
// tables (regexp2's) give the same class as 16.0 gives it (standIn): so
// regexp2 running the official pattern cuts where the official core would.
func decodeRunes(text []byte) (runes []rune, offsets []int) {
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		runes = append(runes, standIn(r))
		offsets = append(offsets, i)
		i += n
	}
	return runes, append(offsets, len(text))
}

// standIns are characters of Unicode 15.0 with the classes Unicode 16.0
// gives the characters it added: letters of each case, marks, digits.
var standIns = map[class]rune{}

func init() {
	for _, r := range []rune{'Ā', 'ā', 'ا', 'ʰ', '\u0301', '٣', 'ǅ'} {
		standIns[goClass(r)] = r
	}
}

// standIn returns r, or for a character whose class Go's tables do not know
// (added by Unicode 16.0) a Unicode 15.0 character of the same class.
func standIn(r rune) rune {
	if r < utf8.RuneSelf {
		return r
	}
	c := classOf(r)
	if c == goClass(r) {
		return r
	}
	s, ok := standIns[c]
	if !ok {
		panic(fmt.Sprintf("no stand-in of class %07b for %U, which Unicode 16.0 added: add one to standIns", c, r))
	}
	return s
}

// referenceEnds returns the byte offsets where regexp2's matches of p end.
// regexp2 works on runes; offsets map its rune positions back to bytes. It
// fails if the matches leave a gap, which the patterns are built never to do.
func referenceEnds(p Pattern, text []byte) ([]int, error) {
	runes, offsets := decodeRunes(text)
	re := reference(p)
	var ends []int
	m, err := re.FindRunesMatch(runes)
	at := 0 // rune position where the next match must start
	for ; m != nil && err == nil; m, err = re.FindNextMatch(m) {
		if m.Index != at {
			return ends, fmt.Errorf("regexp2 skipped runes %d..%d", at, m.Index)
		}
		at = m.Index + m.Length
		ends = append(ends, offsets[at])
	}
	if err != nil {
		return ends, err
	}
	if at != len(runes) {
		return ends, fmt.Errorf("regexp2 stopped at rune %d of %d", at, len(runes))
	}
	return ends, nil
}

// scannerEnds returns the byte offsets where p.Next's pieces end.
func scannerEnds(p Pattern, text []byte) []int {
	var ends []int
	for at := 0; at < len(text); {
		n := p.Next(text[at:])
		if n <= 0 || n > len(text)-at {
			ends = append(ends, -1) // reported as a mismatch by compareEnds
			break
		}
		at += n
		ends = append(ends, at)
	}
	return ends
}

// compareEnds checks that the scanner splits text exactly as regexp2 does,
// and describes the first difference.
func compareEnds(p Pattern, text []byte) error {
	want, err := referenceEnds(p, text)
	if err != nil {
		return fmt.Errorf("%v reference: %w", p, err)
	}
	got := scannerEnds(p, text)
	for i := 0; i < len(want) || i < len(got); i++ {
		if i < len(want) && i < len(got) && want[i] == got[i] {
			continue
		}
		start := 0
		if i > 0 {
			start = want[i-1]
		}
		piece := func(ends []int) string {
			if i >= len(ends) {
				return "(none)"
			}
			if ends[i] < start {
				return fmt.Sprintf("(invalid length, end %d)", ends[i])
			}
			return fmt.Sprintf("%q", text[start:ends[i]])
		}
		return fmt.Errorf("%v: piece %d at byte %d after %q: scanner %s, regexp2 %s (followed by %q)",
			p, i, start, context(text[:start], -24), piece(got), piece(want), context(text[start:], 24))
	}
	return nil
}

// context returns at most n bytes of the end (n<0) or start (n>0) of text.
func context(text []byte, n int) []byte {
	if n < 0 {
		return text[max(0, len(text)+n):]
	}
	return text[:min(len(text), n)]
}

// corpus is a named text to split.
type corpus struct {
	name string
	text []byte
}

// realCorpora are the real texts the tests and benchmarks split: Newton's
// Opticks and about a megabyte of Go sources, both shipped with every Go
// installation. A text that cannot be read fails the test with a message
// saying why and is left out, so that the other texts are still checked.
func realCorpora(t testing.TB) []corpus {
	t.Helper()
	var out []corpus
	if _, text, err := goroot.Opticks(); err != nil {
		t.Errorf("this test reads Newton's Opticks: %v", err)
	} else {
		out = append(out, corpus{"opticks", text})
	}
	if text, err := goSources(1 << 20); err != nil {
		t.Errorf("this test reads the Go sources: %v", err)
	} else {
		out = append(out, corpus{"go-sources", text})
	}
	return out
}

// goSources returns about size bytes of Go sources from the standard
// library, always the same files in the same order: packages with much
// Unicode in their tests first.
func goSources(size int) ([]byte, error) {
	root, err := goroot.Dir()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for _, dir := range []string{"unicode", "strings", "bytes", "fmt", "regexp", "go/scanner", "html", "net/http"} {
		if buf.Len() >= size {
			break
		}
		docs, err := goroot.GoFiles(filepath.Join(root, "src", filepath.FromSlash(dir)), size-buf.Len())
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			buf.WriteString(d)
		}
	}
	if buf.Len() < size/2 {
		return nil, fmt.Errorf("found only %d bytes of Go sources under %s, want %d", buf.Len(), root, size)
	}
	return buf.Bytes(), nil
}

// adversarialFragments are the hard cases of the patterns, each generator
// producing one random fragment. The adversarial text strings them together
// in random order, so that every kind meets every other kind.
var adversarialFragments = []func(r *rand.Rand) string{
	// Runs of spaces of every kind, with \r\n, trailing or not.
	func(r *rand.Rand) string {
		return repeatPick(r, 1+r.IntN(8), " ", " ", " ", "\t", "\n", "\r\n", "\r", "\v", "\f",
			"\u0085", "\u00a0", "\u2028", "\u2029", "\u3000", "\u1680", "\u200a", "\u202f", "\u205f")
	},
	// Contractions in mixed case, and apostrophes that are not contractions.
	func(r *rand.Rand) string {
		return pick(r, "'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'rE", "'ve", "'VE", "'vE", "'m", "'M",
			"'ll", "'LL", "'lL", "'Ll", "'d", "'D", "DON'T", "we'LL", "I'm", "she'S", "you'Re", "'", "''",
			"'x", "'r", "'l", "'v", "\u2019s", "O'Neil", "'\u0301s", "'ſ", "'K", "'\u212a", "rock'n'roll")
	},
	// Words: lower, UPPER, Camel, mixed, accented, Greek, Cyrillic.
	func(r *rand.Rand) string {
		w := repeatPick(r, 1+r.IntN(7), "a", "b", "e", "s", "t", "A", "B", "E", "S", "T", "é", "É", "ß",
			"ÿ", "ø", "Ø", "ω", "Ω", "ж", "Ж", "ı", "İ")
		switch r.IntN(4) {
		case 0:
			return strings.ToUpper(w)
		case 1:
			return strings.ToLower(w)
		}
		return w
	},
	// o200k's case-aware words.
	func(r *rand.Rand) string {
		return pick(r, "CamelCase", "HTTPServer", "iPhone", "XMLHttpRequest", "ALLCAPS", "lowercase",
			"ABCdef'S", "FOO'll", "Hello'RE", "aBcDeF", "ÀÉÎõü", "McDonald's", "ǅungla", "ǅUNGLA", "aǅb",
			"ᾈᾈa", "AbcǅDef", "ABC\u0301DEF", "Ab\u0301Cd", "A\u0301", "a\u0301B", "\u0301\u0301A", "x\u20dd")
	},
	// Numbers of many lengths, ASCII and not.
	func(r *rand.Rand) string {
		if r.IntN(3) == 0 {
			return repeatPick(r, 1+r.IntN(6), "٣", "²", "½", "Ⅻ", "①", "৫", "𝟙", "7")
		}
		return repeatPick(r, 1+r.IntN(12), "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
	},
	// Punctuation runs, then newlines or slashes.
	func(r *rand.Rand) string {
		p := repeatPick(r, 1+r.IntN(6), "!", "\"", "#", "$", "%", "&", "(", ")", "*", "+", ",", "-", ".",
			"/", ":", ";", "<", "=", ">", "?", "@", "[", "\\", "]", "^", "_", "`", "{", "|", "}", "~", "«",
			"—", "…", "€", "©")
		return p + pick(r, "", "", "\n", "\r\n", "/", "//", "\n\n", "/\n", "\n/", " ", "\t\n")
	},
	// Emoji, skin tones, ZWJ sequences, flags, variation selectors.
	func(r *rand.Rand) string {
		return pick(r, "😀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🇺🇸", "❤\ufe0f", "1\ufe0f\u20e3", "🏳\ufe0f\u200d🌈",
			"😀😀😀")
	},
	// Combining marks after letters, spaces, punctuation, digits, alone.
	func(r *rand.Rand) string {
		return pick(r, "e\u0301", "a\u0308\u0323", "\u0301", " \u0301", "!\u0301", "1\u0301", "\u0301a",
			"A\u030a", "\u0903", "क्षि", "ภาษาไทย", "\u0301\n", "\t\u0301x")
	},
	// CJK, kana with the prolonged sound mark (Lm), Hangul, full-width.
	func(r *rand.Rand) string {
		return pick(r, "漢字", "日本語のテキスト", "カタカナー", "한국어", "ＡＢＣ", "ａｂｃ", "Ａｂｃ", "々", "〆")
	},
	// Right-to-left scripts, with their marks.
	func(r *rand.Rand) string {
		return pick(r, "مرحبا بالعالم", "مَرْحَبًا", "שָׁלוֹם", "עברית", "\u200f", "٣٤٥")
	},
	// Controls, format characters, odd spaces.
	func(r *rand.Rand) string {
		return pick(r, "\x00", "\x01", "\x1b[0m", "\x1f", "\x7f", "\u0085", "\ufeff", "\u200b", "\u200c",
			"\u200d", "\u00ad", "\u00a0", "\u2028", "\ufffd", "\u2060")
	},
	// Modifier letters and other letters that o200k counts as both cases.
	func(r *rand.Rand) string {
		return pick(r, "ʰ", "ˈ", "ʼ", "ª", "º", "ʰA", "Aʰ", "ʰa", "Aʰb", "ABʰCD", "ˈRE", "aˈB")
	},
	// Invalid UTF-8: regexp2 sees one U+FFFD per bad byte.
	func(r *rand.Rand) string {
		return pick(r, "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80b", "\xc0\xaf")
	},
}

// adversarial returns about size bytes of hostile text, the same for the
// same seed.
func adversarial(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var buf bytes.Buffer
	for buf.Len() < size {
		buf.WriteString(adversarialFragments[r.IntN(len(adversarialFragments))](r))
		buf.WriteString(pick(r, "", "", "", " ", " ", "\n", "  "))
	}
	return buf.Bytes()
}

func pick(r *rand.Rand, choices ...string) string { return choices[r.IntN(len(choices))] }

func repeatPick(r *rand.Rand, n int, choices ...string) string {
	var b strings.Builder
	for range n {
		b.WriteString(pick(r, choices...))
	}
	return b.String()
}
