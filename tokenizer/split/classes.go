package split

import (
	"unicode"
	"unicode/utf8"
)

// class is a set of bits saying which character classes of the official
// patterns a character belongs to, by Unicode 16.0 (unicode16.go), as the
// official tiktoken core (the Rust regex crate) defines them: \s is the
// White_Space property, \p{X} the General_Category X. Go's unicode tables,
// which regexp2 and tiktoken-go use, are Unicode 15.0; the two differ only
// on the characters 16.0 added (classes_test.go checks every code point).
type class uint8

const (
	letter  class = 1 << iota // \p{L}
	number                    // \p{N}
	space                     // \s
	newline                   // [\r\n]
	upper                     // \p{Lu} or \p{Lt}: o200k's "upper case only" letters
	lower                     // \p{Ll}: o200k's "lower case only" letters
	both                      // \p{Lm}, \p{Lo} or \p{M}: o200k lets them be upper or lower case
)

// o200k's two letter classes. Marks count as letters there (not in \p{L}).
const (
	caseUpper = upper | both // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
	caseLower = lower | both // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
)

// other reports whether c is in [^\s\p{L}\p{N}]: punctuation, symbols,
// marks, controls, and invalid UTF-8.
func (c class) other() bool { return c&(space|letter|number) == 0 }

// prefix reports whether c is in [^\r\n\p{L}\p{N}], the optional character
// cl100k and o200k allow before a word (a space, a tab, a quote, ...).
func (c class) prefix() bool { return c&(newline|letter|number) == 0 }

// classTable is a class and the tables of the characters in it.
type classTable struct {
	c      class
	tables []*unicode.RangeTable
}

// classTables defines each class by the Unicode 16.0 tables.
// ('\r' and '\n' are added apart.)
var classTables = []classTable{
	{letter, []*unicode.RangeTable{unicode16L}},
	{number, []*unicode.RangeTable{unicode16N}},
	{space, []*unicode.RangeTable{unicode16WhiteSpace}},
	{upper, []*unicode.RangeTable{unicode16Lu, unicode16Lt}},
	{lower, []*unicode.RangeTable{unicode16Ll}},
	{both, []*unicode.RangeTable{unicode16Lm, unicode16Lo, unicode16M}},
}

// classify computes the class of r from the Unicode 16.0 tables.
func classify(r rune) class { return classifyBy(classTables, r) }

// classifyBy computes the class of r from tables (classTables, or Go's
// own in goClassTables).
func classifyBy(tables []classTable, r rune) class {
	var c class
	for _, t := range tables {
		if unicode.In(r, t.tables...) {
			c |= t.c
		}
	}
	if r == '\r' || r == '\n' {
		c |= newline
	}
	return c
}

// asciiClass and bmpClass cache classify for the Basic Multilingual Plane
// and the Supplementary Multilingual Plane (U+0000..U+1FFFF), where nearly
// all text lives, emoji included: a table lookup instead of several binary
// searches per character (128 KB, filled in well under a millisecond). asciiClass is the first 128 entries
// of bmpClass, kept apart so the hottest loops touch only 128 bytes.
var (
	asciiClass [utf8.RuneSelf]class
	bmpClass   [0x20000]class
)

func init() { fillTables() }

// fillTables fills the tables range by range, which takes well under a
// millisecond (calling classify for each rune would take several). It is
// idempotent.
func fillTables() {
	for _, t := range classTables {
		for _, table := range t.tables {
			for _, rg := range table.R16 {
				for r := int(rg.Lo); r <= int(rg.Hi); r += int(rg.Stride) {
					bmpClass[r] |= t.c
				}
			}
			for _, rg := range table.R32 {
				for r := int(rg.Lo); r <= int(rg.Hi) && r < len(bmpClass); r += int(rg.Stride) {
					bmpClass[r] |= t.c
				}
			}
		}
	}
	bmpClass['\r'] |= newline
	bmpClass['\n'] |= newline
	copy(asciiClass[:], bmpClass[:utf8.RuneSelf])
}

// classOf returns the class of r.
func classOf(r rune) class {
	if uint32(r) < uint32(len(bmpClass)) {
		return bmpClass[r]
	}
	return classify(r)
}

// decode returns the class and byte length of the character at the start of
// text (non-empty). An invalid UTF-8 byte is one character of its own that
// is in no class (like U+FFFD, which regexp2 would see in its place).
func decode(text []byte) (class, int) {
	if b := text[0]; b < utf8.RuneSelf {
		return asciiClass[b], 1
	}
	return decodeRune(text)
}

// decodeRune is decode for a non-ASCII first byte.
func decodeRune(text []byte) (class, int) {
	r, n := DecodeRune(text)
	return classOf(r), n
}

// classAt is decode without the length, and small enough for the compiler
// to inline, which matters in the scanners' hottest lines.
func classAt(text []byte) class {
	if b := text[0]; b < utf8.RuneSelf {
		return asciiClass[b]
	}
	return runeClass(text)
}

// runeClass is classAt for a non-ASCII first byte.
func runeClass(text []byte) class {
	r, _ := DecodeRune(text)
	return classOf(r)
}

// width is decode without the class, and small enough to inline.
func width(text []byte) int {
	if text[0] < utf8.RuneSelf {
		return 1
	}
	_, n := decodeRune(text)
	return n
}

// span returns the end of the run of characters starting at text[i:] whose
// class has any of the bits in want.
func span(text []byte, i int, want class) int {
	for i < len(text) {
		if b := text[i]; b < utf8.RuneSelf {
			if asciiClass[b]&want == 0 {
				return i
			}
			i++
			continue
		}
		c, n := decodeRune(text[i:])
		if c&want == 0 {
			return i
		}
		i += n
	}
	return i
}

// spanNot returns the end of the run of characters starting at text[i:]
// whose class has none of the bits in unwanted.
func spanNot(text []byte, i int, unwanted class) int {
	for i < len(text) {
		if b := text[i]; b < utf8.RuneSelf {
			if asciiClass[b]&unwanted != 0 {
				return i
			}
			i++
			continue
		}
		c, n := decodeRune(text[i:])
		if c&unwanted != 0 {
			return i
		}
		i += n
	}
	return i
}

// spanNewlines returns the end of the run of '\r' and '\n' bytes at text[i:]
// (the patterns' [\r\n]* after punctuation; o200k also allows '/').
func spanNewlines(text []byte, i int, slash bool) int {
	for i < len(text) {
		b := text[i]
		if b != '\r' && b != '\n' && !(slash && b == '/') {
			break
		}
		i++
	}
	return i
}

// DecodeRune is utf8.DecodeRune (the same rune and width for every input,
// invalid bytes included: a test compares them on every sequence of up to
// four bytes), with the two- and three-byte characters of Cyrillic, Greek,
// Arabic, Indic scripts, Thai and CJK decoded inline: utf8.DecodeRune
// handles only ASCII inline and takes a function call for the rest.
func DecodeRune(b []byte) (rune, int) {
	if len(b) >= 2 && b[1]&0xC0 == 0x80 {
		switch b0 := b[0]; {
		case b0 >= 0xC2 && b0 < 0xE0: // 110xxxxx 10xxxxxx, not overlong
			return rune(b0&0x1F)<<6 | rune(b[1]&0x3F), 2
		case b0&0xF0 == 0xE0 && len(b) >= 3 && b[2]&0xC0 == 0x80: // 1110xxxx 10xxxxxx 10xxxxxx
			r := rune(b0&0x0F)<<12 | rune(b[1]&0x3F)<<6 | rune(b[2]&0x3F)
			if r >= 0x800 && (r < 0xD800 || r > 0xDFFF) { // not overlong, not a surrogate
				return r, 3
			}
		}
	}
	return utf8.DecodeRune(b)
}
