package split

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestUnicode16 checks the generated tables against characters of the
// Unicode 16.0 code charts, which Go's 15.0 tables leave unassigned, and
// the scanners on text written in them: a word of a script new in 16.0 is
// one word, as the official tiktoken core (Rust regex, Unicode 16) cuts it,
// where Go's tables would see a run of unknown symbols.
func TestUnicode16(t *testing.T) {
	samples := []struct {
		r    rune
		want class
		name string
	}{
		{0x105C0, letter | both, "TODHRI LETTER A (Lo)"},
		{0x10D50, letter | upper, "GARAY CAPITAL LETTER A (Lu)"},
		{0x10D70, letter | lower, "GARAY SMALL LETTER A (Ll)"},
		{0x1C89, letter | upper, "CYRILLIC CAPITAL LETTER TJE (Lu)"},
		{0x1C8A, letter | lower, "CYRILLIC SMALL LETTER TJE (Ll)"},
		{0xA7CB, letter | upper, "LATIN CAPITAL LETTER RAMS HORN (Lu)"},
		{0xA7CD, letter | lower, "LATIN SMALL LETTER S WITH DIAGONAL STROKE (Ll)"},
		{0x16D40, letter | both, "KIRAT RAI SIGN ANUSVARA (Lm)"},
		{0x0897, both, "ARABIC PEPET (Mn)"},
		{0x11BC0, letter | both, "SUNUWAR LETTER DEVI (Lo)"},
		{0x1E5D0, letter | both, "OL ONAL LETTER O (Lo)"},
		{0x16100, letter | both, "GURUNG KHEMA LETTER A (Lo)"},
		{0x11380, letter | both, "TULU-TIGALARI LETTER A (Lo)"},
		{0x10D40, number, "GARAY DIGIT ZERO (Nd)"},
		{0x16D70, number, "KIRAT RAI DIGIT ZERO (Nd)"},
		{0x1E5F1, number, "OL ONAL DIGIT ZERO (Nd)"},
	}
	for _, s := range samples {
		if !unicode.Is(unicode.Categories["Cn"], s.r) {
			t.Errorf("%U %s: Go's tables (%s) already assign it; pick a character new in 16.0", s.r, s.name, unicode.Version)
		}
		if got := classOf(s.r); got != s.want {
			t.Errorf("%U %s: class %07b, want %07b", s.r, s.name, got, s.want)
		}
		if off, r := NewerThanGo(" x" + string(s.r)); off != 2 || r != s.r {
			t.Errorf("NewerThanGo misses %U %s: %d, %U", s.r, s.name, off, r)
		}
	}
	// " 𐗀𐗁𐗂" (Todhri) and "Garay capital + small" are one word each.
	for _, text := range []string{" \U000105C0\U000105C1\U000105C2", " \U00010D50\U00010D70\U00010D71"} {
		for _, p := range patterns {
			if got := p.Split([]byte(text)); len(got) != 1 {
				t.Errorf("%s: %q splits into %d pieces, want one word", p, text, len(got))
			}
		}
	}
}

// TestUnicode16OnlyAssignsNew checks every code point: the 16.0 tables give
// the class Go's tables give, except to characters Go's tables leave
// unassigned (new in 16.0), and there are thousands of those (the tables
// really are 16.0's).
func TestUnicode16OnlyAssignsNew(t *testing.T) {
	cn := unicode.Categories["Cn"]
	newer := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		c16, c15 := classOf(r), goClass(r)
		if c16 == c15 {
			continue
		}
		if !unicode.Is(cn, r) {
			t.Errorf("%U: assigned in Go's Unicode %s as class %07b, but the 16.0 tables say %07b", r, unicode.Version, c15, c16)
		}
		newer++
	}
	if newer < 4000 {
		t.Errorf("only %d code points differ from Go's tables; Unicode 16.0 added over 5,000 letters, marks and digits", newer)
	}
}
