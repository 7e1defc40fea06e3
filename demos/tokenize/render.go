package main

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tick-llm/tick/tokenizer"
)

// span is what is drawn as one coloured block: one token, or several tokens
// that only together make whole UTF-8 characters (an emoji's four bytes may
// be two or three tokens).
type span struct {
	text   []byte
	tokens int
}

// spans groups token IDs into drawable spans.
func spans(enc *tokenizer.Encoding, ids []int) ([]span, error) {
	var out []span
	var cur span
	for _, id := range ids {
		b, err := enc.TokenBytes(id)
		if err != nil {
			return nil, fmt.Errorf("%s: token %d: %w", enc.Name(), id, err)
		}
		cur.text = append(cur.text, b...)
		cur.tokens++
		if utf8.Valid(cur.text) {
			out = append(out, cur)
			cur = span{}
		}
	}
	if cur.tokens > 0 { // text that is not valid UTF-8 at all
		out = append(out, cur)
	}
	return out, nil
}

// palette holds background colours (ANSI 256-colour codes) light enough for
// black text, cycled so neighbouring tokens always differ.
var palette = []int{153, 187, 224, 194, 225, 230}

// renderTokens draws the tokens of ids on one line: coloured blocks on a
// terminal, else separated by |. Whitespace is made visible either way.
func renderTokens(enc *tokenizer.Encoding, ids []int, color bool) (string, error) {
	sp, err := spans(enc, ids)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for i, s := range sp {
		text := tokenizer.Visible(s.text)
		if s.tokens > 1 {
			text += superscript(s.tokens)
		}
		if color {
			fmt.Fprintf(&sb, "\x1b[30;48;5;%dm%s\x1b[0m", palette[i%len(palette)], text)
			continue
		}
		if i > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(text)
	}
	return sb.String(), nil
}

// superscript writes n with superscript digits: 12 -> ¹².
func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	var sb strings.Builder
	for _, c := range fmt.Sprint(n) {
		sb.WriteRune(sup[c-'0'])
	}
	return sb.String()
}
