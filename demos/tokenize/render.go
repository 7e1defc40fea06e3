package main

import (
	"fmt"
	"strings"

	"github.com/rivo/uniseg"

	"github.com/tick-llm/tick/tokenizer"
)

// palette holds background colours (ANSI 256-colour codes) light enough for
// black text, cycled so neighbouring tokens always differ.
var palette = []int{153, 187, 224, 194, 225, 230}

// renderTokens draws the tokens of ids on one line: coloured blocks on a
// terminal, else separated by |. Whitespace is made visible either way. A
// character whose UTF-8 bytes are split over several tokens is drawn once,
// as one block with the count of its tokens (an emoji's four bytes may be
// two or three tokens: 😀²); see tokenizer.CharGroups.
func renderTokens(enc *tokenizer.Encoding, ids []int, color bool) (string, error) {
	toks, err := enc.Tokens(ids)
	if err != nil {
		return "", fmt.Errorf("%s: %w", enc.Name(), err)
	}
	var blocks []string
	for _, g := range tokenizer.CharGroups(toks) {
		if g.Split() {
			blocks = append(blocks, tokenizer.Visible(g.Text)+tokenizer.Superscript(len(g.Tokens)))
			continue
		}
		for _, t := range g.Tokens {
			blocks = append(blocks, tokenizer.Visible(t.Bytes))
		}
	}
	var sb strings.Builder
	for i, b := range blocks {
		if color {
			fmt.Fprintf(&sb, "\x1b[30;48;5;%dm%s\x1b[0m", palette[i%len(palette)], b)
			continue
		}
		if i > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(b)
	}
	return sb.String(), nil
}

// pad fills s with spaces to width terminal columns, measured as the
// terminal draws them: a CJK character takes two, a combining mark none.
// (fmt's %-24s counts runes, which misaligns a table of other scripts.)
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-uniseg.StringWidth(s)))
}
