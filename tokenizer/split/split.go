// Package split is the pre-tokenizer: it cuts text into the pieces that
// byte-pair encoding then works on one at a time, exactly as the official
// tiktoken regular expressions do.
package split

import (
	"fmt"
	"strings"
)

// Pattern names one family of split rules.
type Pattern int

const (
	// None keeps the whole text as one piece (BPE training without a pattern).
	None Pattern = iota
	// GPT2 is the pattern of r50k_base and p50k_base (GPT-2, GPT-3).
	GPT2
	// CL100K is the pattern of cl100k_base (GPT-4) and of Llama 3.
	CL100K
	// O200K is the pattern of o200k_base (GPT-4o).
	O200K
)

// Official pattern strings, in the form github.com/dlclark/regexp2 accepts
// (as tiktoken-go uses them). They are the reference the hand-written
// scanners are tested against.
const (
	gpt2Regexp   = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	cl100kRegexp = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	o200kRegexp  = `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
		`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
		`|\p{N}{1,3}` +
		`| ?[^\s\p{L}\p{N}]+[\r\n/]*` +
		`|\s*[\r\n]+` +
		`|\s+(?!\S)` +
		`|\s+`
)

// Parse turns a user-facing name into a Pattern. It accepts pattern names
// (gpt2, cl100k, o200k, none) and the encodings that use them (r50k, p50k,
// llama3, ...), with or without a "_base" suffix.
func Parse(name string) (Pattern, error) {
	switch strings.TrimSuffix(strings.ToLower(name), "_base") {
	case "none", "":
		return None, nil
	case "gpt2", "r50k", "p50k":
		return GPT2, nil
	case "cl100k", "llama3", "llama":
		return CL100K, nil
	case "o200k":
		return O200K, nil
	}
	return None, fmt.Errorf("unknown split pattern %q: use gpt2, cl100k, o200k or none", name)
}

// String returns the name Parse accepts for p.
func (p Pattern) String() string {
	switch p {
	case None:
		return "none"
	case GPT2:
		return "gpt2"
	case CL100K:
		return "cl100k"
	case O200K:
		return "o200k"
	}
	return fmt.Sprintf("Pattern(%d)", int(p))
}

// Regexp returns the official regular expression for p, in regexp2 syntax.
// None has no expression and returns "".
func (p Pattern) Regexp() string {
	switch p {
	case GPT2:
		return gpt2Regexp
	case CL100K:
		return cl100kRegexp
	case O200K:
		return o200kRegexp
	}
	return ""
}

// Next returns the length in bytes of the first piece of text: what the
// official pattern matches at the start of text. It is 0 only for empty
// text. Invalid UTF-8 bytes are kept, each one a character that is neither
// letter, number nor space (as U+FFFD, which a regex engine would see). None
// (and any unknown Pattern) keeps the whole text as one piece.
func (p Pattern) Next(text []byte) int {
	if len(text) == 0 {
		return 0
	}
	switch p {
	case GPT2:
		return nextGPT2(text)
	case CL100K:
		return nextCL100K(text)
	case O200K:
		return nextO200K(text)
	}
	return len(text)
}

// Split cuts text into pieces; the pieces share text's memory and their
// concatenation is text.
func (p Pattern) Split(text []byte) [][]byte {
	var pieces [][]byte
	for len(text) > 0 {
		n := p.Next(text)
		pieces = append(pieces, text[:n])
		text = text[n:]
	}
	return pieces
}
