package bpe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tick-llm/tick/internal/words"
	"github.com/tick-llm/tick/tokenizer"
)

// Tokens are shown in tokenizer.Visible's notation, the one all of tick
// uses: · for a space, → for a tab, ↵ for a newline. A merge is written
// "left + right ⇒ token": the double arrow, because → already means a tab.

// FormatMerge describes merge m of v in one short line, such as
// "·t + he ⇒ ·the (id 300)".
func (v *Vocab) FormatMerge(m Merge) string {
	return fmt.Sprintf("%s + %s ⇒ %s (id %d)", tokenizer.Visible(v.Tokens[m.Left]), tokenizer.Visible(v.Tokens[m.Right]), tokenizer.Visible(v.Tokens[m.ID]), m.ID)
}

// WriteExplain prints what Explain found, one piece after another, in lines
// short enough for a narrow terminal:
//
//	piece "·hello" ⇒ 1 token
//	  1. l + o ⇒ lo (id 385)
//	  ...
//	  = ·hello (id 24748)
func WriteExplain(w io.Writer, enc *tokenizer.Encoding, pieces []Piece) error {
	tok := func(id int) string {
		b, err := enc.TokenBytes(id)
		if err != nil {
			return fmt.Sprintf("<%d>", id)
		}
		return tokenizer.Visible(b)
	}
	for i, p := range pieces {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "piece \"%s\" ⇒ %s\n", tokenizer.Visible(p.Text), words.Count(len(p.IDs), "token"))
		if len(p.Steps) == 0 && len(p.Text) == 1 {
			fmt.Fprintln(w, "  (a single byte: no merges)")
		}
		for j, s := range p.Steps {
			fmt.Fprintf(w, "  %d. %s + %s ⇒ %s (id %d)\n", j+1, tok(s.Left), tok(s.Right), tok(s.Result), s.Result)
		}
		if p.Lookup {
			fmt.Fprintln(w, "  (merging stops short, but the whole piece is a token: the encoder looks it up first)")
		}
		var parts []string
		for _, id := range p.IDs {
			parts = append(parts, fmt.Sprintf("%s (id %d)", tok(id), id))
		}
		// One line if it fits a narrow terminal, else one token per line.
		sep := " | "
		if line := strings.Join(parts, sep); utf8.RuneCountInString(line) > 60 {
			sep = "\n  | "
		}
		if _, err := fmt.Fprintf(w, "  = %s\n", strings.Join(parts, sep)); err != nil {
			return err
		}
	}
	return nil
}

// WriteTree prints a merge tree sideways, one token per line, each part
// indented under the token it makes:
//
//	·token (id 4037)
//	├─ ·to (id 311)
//	│  ├─ ·t (id 259)
//	...
func WriteTree(w io.Writer, n *Node) error {
	return writeTree(w, n, "", "")
}

func writeTree(w io.Writer, n *Node, first, rest string) error {
	if _, err := fmt.Fprintf(w, "%s%s (id %d)\n", first, tokenizer.Visible(n.Bytes), n.ID); err != nil {
		return err
	}
	for i, p := range n.Parts {
		f, r := "├─ ", "│  "
		if i == len(n.Parts)-1 {
			f, r = "└─ ", "   "
		}
		if err := writeTree(w, p, rest+f, rest+r); err != nil {
			return err
		}
	}
	return nil
}
