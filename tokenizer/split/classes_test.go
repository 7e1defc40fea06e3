package split

import (
	"testing"
	"unicode"
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

// assignedInGo reports whether Go's unicode tables (Unicode 15.0, which
// regexp2 uses) give r a general category other than Cn (unassigned).
// (Go's unicode.C also holds the unassigned code points, so the other
// categories are listed one by one.)
func assignedInGo(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// TestClassesMatchRegexp2 checks, for every code point, that the class the
// scanners see (through UTF-8 and the lookup tables) is the class regexp2
// sees, for each class and each combined class the patterns use, except
// for the characters that Unicode 16.0 (the scanners' tables, and the
// official tiktoken core's) assigned after Go's 15.0: those are unassigned
// for regexp2, and TestUnicode16 checks a sample of them.
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
			want := matchedRunes(t, tt.expr, runes)
			bad, new16 := 0, 0
			for i, r := range runes {
				if got := tt.in(classes[i]); got != want[i] {
					if !assignedInGo(r) {
						new16++ // added in Unicode 16.0
						continue
					}
					if bad++; bad <= 10 {
						t.Errorf("%U %q: scanner says %v, regexp2 says %v", r, r, got, want[i])
					}
				}
			}
			if bad > 10 {
				t.Errorf("... %d code points disagree in all", bad)
			}
			// Unicode 16.0 added 5,185 characters, nearly all letters,
			// marks and numbers (no spaces): every class but \s and
			// [\r\n] gains some, and none can gain more than them.
			unchanged := tt.expr == `\s` || tt.expr == `[\r\n]`
			if new16 > 5185 || (new16 == 0) != unchanged {
				t.Errorf("%d code points unassigned in Go's tables have another class in the scanners'; want 1 to 5,185 (Unicode 16.0's additions), or 0 for \\s and [\\r\\n]", new16)
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

// TestUnicode16 checks characters that Unicode 16.0 added, by the
// categories the Unicode 16.0 charts give them, as the official tiktoken
// core (Rust's regex crate, Unicode 16.0) sees them: letters and numbers
// join words and numbers instead of being split off as punctuation.
func TestUnicode16(t *testing.T) {
	tests := []struct {
		r    rune
		name string
		want class
	}{
		{0xA7CB, "LATIN CAPITAL LETTER RAMS HORN (Lu)", letter | upper},
		{0xA7CD, "LATIN SMALL LETTER S WITH DIAGONAL STROKE (Ll)", letter | lower},
		{0xA7DC, "LATIN CAPITAL LETTER LAMBDA WITH STROKE (Lu)", letter | upper},
		{0x1C89, "CYRILLIC CAPITAL LETTER TJE (Lu)", letter | upper},
		{0x1C8A, "CYRILLIC SMALL LETTER TJE (Ll)", letter | lower},
		{0x0897, "ARABIC PEPET (Mn)", both},
		{0x105C0, "TODHRI LETTER A (Lo)", letter | both},
		{0x10D50, "GARAY CAPITAL LETTER A (Lu)", letter | upper},
		{0x10D70, "GARAY SMALL LETTER A (Ll)", letter | lower},
		{0x10D40, "GARAY DIGIT ZERO (Nd)", number},
		{0x11380, "TULU-TIGALARI LETTER A (Lo)", letter | both},
		{0x11BC0, "SUNUWAR LETTER DEVI (Lo)", letter | both},
		{0x11BF0, "SUNUWAR DIGIT ZERO (Nd)", number},
		{0x16100, "GURUNG KHEMA LETTER A (Lo)", letter | both},
		{0x16130, "GURUNG KHEMA DIGIT ZERO (Nd)", number},
		{0x16D43, "KIRAT RAI LETTER A (Lo)", letter | both},
		{0x16D70, "KIRAT RAI DIGIT ZERO (Nd)", number},
		{0x1E5D0, "OL ONAL LETTER O (Lo)", letter | both},
		{0x1E5F1, "OL ONAL DIGIT ZERO (Nd)", number},
		{0x1CCF0, "OUTLINED DIGIT ZERO (Nd)", number},
	}
	for _, tt := range tests {
		if assignedInGo(tt.r) {
			t.Errorf("%U %s: Go's tables already assign it; the sample should hold only Unicode 16.0 additions", tt.r, tt.name)
		}
		if !NewInUnicode16(tt.r) {
			t.Errorf("%U %s: NewInUnicode16 = false", tt.r, tt.name)
		}
		if got := classOf(tt.r); got != tt.want {
			t.Errorf("%U %s: class %07b, want %07b", tt.r, tt.name, got, tt.want)
		}
	}
	// Split as the official core does: the Garay word and the Sunuwar
	// digits stay whole (cl100k splits numbers into runs of up to 3).
	garay := string([]rune{0x10D50, 0x10D71, 0x10D72})
	digits := string([]rune{0x11BF1, 0x11BF2, 0x11BF3})
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		p, err := Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		got := p.Split([]byte("hello " + garay + " " + digits))
		want := []string{"hello", " " + garay, " ", digits}
		if len(got) != len(want) {
			t.Errorf("%s: %q, want %q", name, got, want)
			continue
		}
		for i := range got {
			if string(got[i]) != want[i] {
				t.Errorf("%s: %q, want %q", name, got, want)
				break
			}
		}
	}
	for _, r := range []rune{'a', 'é', 'Я', '中', '١', 0x0301, 0x1F980, 0x10FFFF, 0xE000} {
		if NewInUnicode16(r) {
			t.Errorf("NewInUnicode16(%U) = true for a character Go's tables know, or none", r)
		}
	}
	if HasNewInUnicode16("hello, 世界") || !HasNewInUnicode16("x"+garay) {
		t.Error("HasNewInUnicode16 is wrong on a sample")
	}
	if unicode16Version != "16.0.0" {
		t.Errorf("tables are Unicode %s", unicode16Version)
	}
}
