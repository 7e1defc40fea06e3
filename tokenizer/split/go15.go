package split

import (
	"unicode"
	"unicode/utf8"
)

// Go's unicode tables (unicode.Version, 15.0 in Go 1.26) are what regexp2 and
// tiktoken-go classify by; the scanners classify by Unicode 16.0, as the
// official tiktoken core does. The two give the same classes to every
// character but those 16.0 added, which 15.0 leaves unassigned.

// goClassTables are classTables by Go's own unicode tables.
var goClassTables = []classTable{
	{letter, []*unicode.RangeTable{unicode.L}},
	{number, []*unicode.RangeTable{unicode.N}},
	{space, []*unicode.RangeTable{unicode.White_Space}},
	{upper, []*unicode.RangeTable{unicode.Lu, unicode.Lt}},
	{lower, []*unicode.RangeTable{unicode.Ll}},
	{both, []*unicode.RangeTable{unicode.Lm, unicode.Lo, unicode.M}},
}

// goClass is the class Go's unicode tables give r.
func goClass(r rune) class { return classifyBy(goClassTables, r) }

// NewerThanGo returns the byte offset and the character of the first
// character of text that Unicode 16.0 (tick, and OpenAI's tiktoken) puts in
// another class than Go's unicode tables (tiktoken-go, regexp2) do, or -1
// when there is none: where the two can split, and so encode, differently.
func NewerThanGo(text string) (int, rune) {
	for i, r := range text {
		if r >= utf8.RuneSelf && classOf(r) != goClass(r) {
			return i, r
		}
	}
	return -1, 0
}
