package generate

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/tick-llm/tick/internal/words"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer/sample"
)

// Table layout. The bar takes whatever width is left, so the table fits a
// narrow terminal: below 56 columns token cells shrink and cut notes become
// "✂top-k"; below minWidth lines may wrap.
const (
	minWidth    = 40
	narrowWidth = 56
	probWidth   = 6  // "100.0%"
	tokenWidth  = 14 // a token spelling, quoted; longer ones end in "…"
)

// RenderStep writes a step as a table for a terminal width columns wide:
//
//	── step 3 ─────────────────────────────────────
//	context (14 tokens): …the·quick·brown·
//	entropy 2.31 bits (as unsure as a fair pick among 5.0 tokens)
//	   #     id  token             prob
//	▶  0    104  "h"              41.2% ████████▎
//	   1     32  "·"              13.0% ██▋
//	   7     88  "X"               0.3% ▏          cut by top-k
//	chosen: 104 "h", sampled with p=0.412
//
// context is the text of s.ContextIDs. Tokens and context are spelled by
// tokenizer.Visible (whitespace made visible, · for a space, ↵ for a
// newline; a stray byte as <xNN>) and bars are proportional to probability,
// a full bar being 1.
func RenderStep(w io.Writer, s Step, context []byte, width int) error {
	if width < minWidth {
		width = minWidth
	}
	var b strings.Builder
	head := fmt.Sprintf("── step %d ", s.Step)
	b.WriteString(head + strings.Repeat("─", max(0, width-utf8.RuneCountInString(head))) + "\n")

	label := fmt.Sprintf("context (%s): ", words.Count(len(s.ContextIDs), "token"))
	if s.Window > 0 && s.Window < len(s.ContextIDs) {
		label = fmt.Sprintf("context (%d tokens, model reads last %d): ", len(s.ContextIDs), s.Window)
	}
	b.WriteString(label + tail(tokenizer.Visible(context), width-utf8.RuneCountInString(label)) + "\n")

	// 2^H is the perplexity: the number of equally likely tokens that would
	// be exactly as uncertain. It reads more easily than bits.
	ent := fmt.Sprintf("entropy %.2f bits (as unsure as a fair pick among %.1f tokens)",
		s.EntropyBits, math.Exp2(s.EntropyBits))
	if utf8.RuneCountInString(ent) > width {
		ent = fmt.Sprintf("entropy %.2f bits (~%.1f equal choices)", s.EntropyBits, math.Exp2(s.EntropyBits))
	}
	b.WriteString(ent + "\n")

	// Columns: mark, index, id, token, prob, bar, note. Ids and notes take
	// only the room the widest of them needs.
	idW, noteW := 2, 0
	notes := make([]string, len(s.Candidates))
	for i, c := range s.Candidates {
		idW = max(idW, len(fmt.Sprint(c.ID)))
		if !c.Kept && c.Reason != sample.ReasonBelowTop { // greedy: the chosen line says it
			notes[i] = string(c.Reason)
			if width < narrowWidth {
				notes[i] = "✂" + strings.TrimPrefix(notes[i], "cut by ")
			}
			noteW = max(noteW, utf8.RuneCountInString(notes[i])+1)
		}
	}
	fixed := 2 + 1 + 2 + 1 + idW + 2 + 1 + probWidth + 1 + noteW
	tokW := tokenWidth
	barW := width - fixed - tokW
	if barW < 8 { // shorten token cells before the bars
		tokW = max(5, tokW-(8-barW))
		barW = max(3, width-fixed-tokW)
	}
	fmt.Fprintf(&b, "   %2s %*s  %-*s %*s\n", "#", idW, "id", tokW, "token", probWidth, "prob")
	for i, c := range s.Candidates {
		mark := "  "
		if c.ID == s.Chosen.ID {
			mark = "▶ "
		}
		tok := cell(`"`+tokenizer.Visible([]byte(c.Text))+`"`, tokW)
		fmt.Fprintf(&b, "%s %2d %*d  %s %5.1f%% %s %s\n", mark, i, idW, c.ID, tok,
			100*c.Prob, pad(bar(c.Prob, barW), barW), notes[i])
	}

	fmt.Fprintf(&b, "chosen: %d \"%s\", %s\n", s.Chosen.ID, tokenizer.Visible([]byte(s.Chosen.Text)), why(s))
	_, err := io.WriteString(w, trimRight(b.String()))
	return err
}

// why explains a choice in words.
func why(s Step) string {
	c := s.Chosen
	var r string
	switch c.Reason {
	case sample.ReasonGreedy:
		r = "greedy (temperature 0 takes the most probable token)"
	case sample.ReasonSampled:
		r = fmt.Sprintf("sampled with p=%.3f", c.Prob)
	case sample.ReasonPicked:
		r = "picked by you"
	default:
		r = string(c.Reason)
	}
	for _, cand := range s.Candidates {
		if cand.ID == c.ID {
			return r
		}
	}
	return fmt.Sprintf("%s (outside the top %d)", r, len(s.Candidates))
}

// bar draws p in [0,1] as a bar of up to width cells, in eighths of a cell.
func bar(p float64, width int) string {
	const eighths = " ▏▎▍▌▋▊▉"
	if math.IsNaN(p) || p < 0 {
		p = 0
	}
	n := int(math.Round(min(p, 1) * float64(width*8)))
	s := strings.Repeat("█", n/8)
	if n%8 != 0 {
		s += string([]rune(eighths)[n%8])
	} else if n == 0 && p > 0 {
		s = "▏" // too small to draw, but not zero: show that it is there
	}
	return s
}

// cell fits s into exactly n display cells, cutting with "…" if longer.
func cell(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		return string(r[:n-1]) + "…"
	}
	return pad(s, n)
}

// pad adds spaces to s up to n display cells.
func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s)))
}

// trimRight removes trailing spaces from every line, which padding leaves
// behind and which some terminals wrap on.
func trimRight(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
