package split

import (
	"testing"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// allRunes returns every code point except the surrogates, which UTF-8
// cannot encode.
func allRunes() []rune {
	runes := make([]rune, 0, utf8.MaxRune+1)
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if utf8.ValidRune(r) {
			runes = append(runes, r)
		}
	}
	return runes
}

// matchedRunes runs expr over runes and reports, for each one, whether a
// match covers it. Matching `(?:expr)+` finds whole runs at once, which
// keeps a pass over all of Unicode under a second.
func matchedRunes(t *testing.T, expr string, runes []rune) []bool {
	re := regexp2.MustCompile(`(?:`+expr+`)+`, regexp2.None)
	in := make([]bool, len(runes))
	m, err := re.FindRunesMatch(runes)
	for ; m != nil && err == nil; m, err = re.FindNextMatch(m) {
		for i := m.Index; i < m.Index+m.Length; i++ {
			in[i] = true
		}
	}
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return in
}

// TestClassesMatchRegexp2 checks, for every code point, that the class the
// scanners see (through UTF-8 and the lookup tables) is the class regexp2
// sees, for each class and each combined class the patterns use.
func TestClassesMatchRegexp2(t *testing.T) {
	runes := allRunes()
	classes := make([]class, len(runes))
	var buf []byte
	for i, r := range runes {
		buf = utf8.AppendRune(buf[:0], r)
		c, n := decode(buf)
		if n != len(buf) {
			t.Fatalf("decode(%U) took %d bytes of %d", r, n, len(buf))
		}
		classes[i] = c
	}
	// regexp2 reads the characters Unicode 16.0 added through stand-ins
	// (reference_test.go); TestUnicode16 checks them on their own.
	standIns16 := make([]rune, len(runes))
	for i, r := range runes {
		standIns16[i] = standIn(r)
	}
	tests := []struct {
		expr string
		in   func(class) bool
	}{
		{`\s`, func(c class) bool { return c&space != 0 }},
		{`\p{L}`, func(c class) bool { return c&letter != 0 }},
		{`\p{N}`, func(c class) bool { return c&number != 0 }},
		{`[\r\n]`, func(c class) bool { return c&newline != 0 }},
		{`[\p{Lu}\p{Lt}]`, func(c class) bool { return c&upper != 0 }},
		{`\p{Ll}`, func(c class) bool { return c&lower != 0 }},
		{`[\p{Lm}\p{Lo}\p{M}]`, func(c class) bool { return c&both != 0 }},
		// The classes exactly as the patterns spell them.
		{`[^\s\p{L}\p{N}]`, class.other},
		{`[^\r\n\p{L}\p{N}]`, class.prefix},
		{`[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, func(c class) bool { return c&caseUpper != 0 }},
		{`[\p{Ll}\p{Lm}\p{Lo}\p{M}]`, func(c class) bool { return c&caseLower != 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			want := matchedRunes(t, tt.expr, standIns16)
			bad := 0
			for i, r := range runes {
				if got := tt.in(classes[i]); got != want[i] {
					if bad++; bad <= 10 {
						t.Errorf("%U %q: scanner says %v, regexp2 says %v", r, r, got, want[i])
					}
				}
			}
			if bad > 10 {
				t.Errorf("... %d code points disagree in all", bad)
			}
		})
	}
	// An invalid byte is in no class, as U+FFFD is.
	if c, n := decode([]byte{0xff, 'a'}); c != 0 || n != 1 {
		t.Errorf("decode(0xff) = class %b, %d bytes; want 0, 1", c, n)
	}
	if c := classOf(utf8.RuneError); c != 0 {
		t.Errorf("class of U+FFFD = %b, want 0", c)
	}
}

// TestDecodeRune compares DecodeRune with utf8.DecodeRune on every
// sequence of one to three bytes, on every four-byte one that starts with
// a lead byte of four, and on them cut short.
func TestDecodeRune(t *testing.T) {
	check := func(b []byte) {
		r, n := DecodeRune(b)
		wr, wn := utf8.DecodeRune(b)
		if r != wr || n != wn {
			t.Fatalf("DecodeRune(% x) = %U, %d; utf8.DecodeRune says %U, %d", b, r, n, wr, wn)
		}
	}
	check(nil)
	b := make([]byte, 4)
	for x := range 1 << 24 {
		b[0], b[1], b[2] = byte(x>>16), byte(x>>8), byte(x)
		check(b[:1])
		check(b[:2])
		check(b[:3])
		if b[0] >= 0xF0 && b[0] < 0xF8 {
			for _, last := range []byte{0x00, 0x80, 0xBF, 0xC0} {
				b[3] = last
				check(b[:4])
			}
		}
	}
}

// TestClassTable: the table classOf reads gives classify's answer (the
// binary searches over the Unicode 16.0 tables) for every code point it
// holds, and classOf still answers beyond it.
func TestClassTable(t *testing.T) {
	bad := 0
	for r := rune(0); r <= 0x2FFFF; r++ {
		if got, want := classOf(r), classify(r); got != want {
			if bad++; bad <= 10 {
				t.Errorf("classOf(%U) = %b, classify says %b", r, got, want)
			}
		}
	}
	if c := classOf(0x20000); c&letter == 0 { // CJK Extension B, past the table
		t.Errorf("classOf(U+20000) = %b, want a letter", c)
	}
}

// TestContractionCase checks, for every code point, that contraction agrees
// with regexp2 on which characters match each letter of
// (?i:'s|'t|'re|'ve|'m|'ll|'d): regexp2 lowers each input character with
// unicode.ToLower, so a non-ASCII letter could in principle qualify (the
// Kelvin sign lowers to 'k'); none of these letters has such a twin.
func TestContractionCase(t *testing.T) {
	runes := allRunes()
	tests := []struct {
		letters string // the alternatives at the place of r, as regexp2 sees them
		// build places r in a contraction that contraction should then
		// match, with length n.
		build func(r string) string
		n     int
	}{
		{"s|t|m|d", func(r string) string { return "'" + r }, 2},
		{"r|v", func(r string) string { return "'" + r + "e" }, 3},
		{"e", func(r string) string { return "'r" + r }, 3},
		{"e", func(r string) string { return "'v" + r }, 3},
		{"l", func(r string) string { return "'l" + r }, 3},
		{"l", func(r string) string { return "'" + r + "l" }, 3},
	}
	for _, tt := range tests {
		want := matchedRunes(t, `(?i:`+tt.letters+`)`, runes)
		for i, r := range runes {
			got := contraction([]byte(tt.build(string(r)))) == tt.n
			if got != want[i] {
				t.Errorf("%q: contraction says %v, regexp2 (?i:%s) says %v", tt.build(string(r)), got, tt.letters, want[i])
			}
		}
	}
	// The apostrophe itself, under (?i).
	want := matchedRunes(t, `(?i:')`, runes)
	for i, r := range runes {
		if got := contraction([]byte(string(r)+"s")) == 2; got != want[i] {
			t.Errorf("%q: contraction says %v, regexp2 says %v", string(r)+"s", got, want[i])
		}
	}
}
