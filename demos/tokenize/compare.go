package main

import (
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/tick-llm/tick/internal/tiktokenref"
	"github.com/tick-llm/tick/tokenizer"
)

// writeCounts prints the token count of every line under every encoding.
func writeCounts(w io.Writer, lines []sampleLine, ids [][][]int) error {
	fmt.Fprintln(w, "Token counts (fewer tokens = more text fits in the model's context, and it costs less):")
	fmt.Fprintf(w, "%-10s %6s %6s", "", "bytes", "chars")
	for _, e := range encodings {
		fmt.Fprintf(w, " %12s", e.name)
	}
	fmt.Fprintln(w)
	totals := make([]int, len(encodings))
	bytes, chars := 0, 0
	for j, l := range lines {
		fmt.Fprintf(w, "%-10s %6d %6d", l.Label, len(l.Text), utf8.RuneCountInString(l.Text))
		bytes += len(l.Text)
		chars += utf8.RuneCountInString(l.Text)
		for i := range encodings {
			fmt.Fprintf(w, " %12d", len(ids[i][j]))
			totals[i] += len(ids[i][j])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-10s %6d %6d", "total", bytes, chars)
	for i := range encodings {
		fmt.Fprintf(w, " %12d", totals[i])
	}
	fmt.Fprintln(w)
	if totals[0] > 0 {
		last := len(totals) - 1
		fmt.Fprintf(w, "%s needs %.0f%% of the tokens %s needs for the same text.\n",
			encodings[last].model, 100*float64(totals[last])/float64(totals[0]), encodings[0].model)
	}
	return nil
}

// maxDiffs is how many differing pieces are listed before summarising.
const maxDiffs = 14

// writeDifferences lists the stretches of text that GPT-4 (a) and GPT-4o (b)
// cut differently. Both tokenizations cover the same bytes, so walking them
// side by side finds the offsets where both have a token boundary; between
// two such common boundaries, the two cut the text differently when their
// token ends differ.
func writeDifferences(w io.Writer, a, b *tokenizer.Encoding, lines []sampleLine, idsA, idsB [][]int) error {
	fmt.Fprintf(w, "Where GPT-4o (%s) cuts the text differently from GPT-4 (%s):\n", b.Name(), a.Name())
	shown, found, tokA, tokB := 0, 0, 0, 0
	for j := range lines {
		segs, err := differingSegments(a, b, lines[j].Text, idsA[j], idsB[j])
		if err != nil {
			return err
		}
		for _, s := range segs {
			found++
			tokA += len(s.a)
			tokB += len(s.b)
			if shown == maxDiffs {
				continue
			}
			shown++
			ra, err := renderTokens(a, s.a, false)
			if err != nil {
				return err
			}
			rb, err := renderTokens(b, s.b, false)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "  %s GPT-4: %s (%d)   GPT-4o: %s (%d)\n", pad(lines[j].Label, 9), pad(ra, 24), len(s.a), pad(rb, 20), len(s.b))
		}
	}
	if found > shown {
		fmt.Fprintf(w, "  ... and %d more\n", found-shown)
	}
	if found == 0 {
		fmt.Fprintln(w, "  nowhere: both cut this text into the same pieces.")
		return nil
	}
	fmt.Fprintf(w, "%d stretches differ: GPT-4 spends %d tokens on them, GPT-4o %d. GPT-4o's larger\n", found, tokA, tokB)
	fmt.Fprintln(w, "vocabulary holds many more whole words of other scripts, and its split pattern")
	fmt.Fprintln(w, "keeps contractions and capitalised word parts together differently.")
	return nil
}

// segment is a stretch of text between two common token boundaries, with the
// tokens each encoding used for it.
type segment struct{ a, b []int }

// differingSegments walks two tokenizations of text and returns the
// stretches where they differ. A common boundary inside a character (a
// grapheme cluster, as tokenizer.CharGroups draws them: the bytes of 東, or
// the code points of 👋🏽) does not end a stretch, so each stretch is whole
// characters.
func differingSegments(a, b *tokenizer.Encoding, text string, idsA, idsB []int) ([]segment, error) {
	var out []segment
	charBoundary := graphemeBoundaries(text)
	A, B := &walk{enc: a, ids: idsA}, &walk{enc: b, ids: idsB}
	for !A.done() || !B.done() {
		i0, k0, start := A.next, B.next, A.pos
		A.cuts, B.cuts = A.cuts[:0], B.cuts[:0]
		// Take at least one token from each side, then catch up until the
		// two ends meet.
		for first := true; first || A.pos != B.pos || !charBoundary[A.pos]; first = false {
			s := B
			if (A.pos <= B.pos || B.done()) && !A.done() {
				s = A
			} else if B.done() {
				return nil, fmt.Errorf("the two tokenizations cover different text (%d and %d bytes)", A.pos, B.pos)
			}
			if err := s.take(start); err != nil {
				return nil, err
			}
		}
		if !slices.Equal(A.cuts, B.cuts) {
			out = append(out, segment{slices.Clone(idsA[i0:A.next]), slices.Clone(idsB[k0:B.next])})
		}
	}
	return out, nil
}

// walk is one of the two tokenizations as differingSegments walks it.
type walk struct {
	enc  *tokenizer.Encoding
	ids  []int
	next int   // the next token to take
	pos  int   // byte offset where the tokens taken so far end
	cuts []int // token ends in the current stretch, relative to its start
}

func (w *walk) done() bool { return w.next == len(w.ids) }

// take moves past the next token and notes where it ends.
func (w *walk) take(start int) error {
	b, err := w.enc.TokenBytes(w.ids[w.next])
	if err != nil {
		return fmt.Errorf("%s: %w", w.enc.Name(), err)
	}
	w.next++
	w.pos += len(b)
	w.cuts = append(w.cuts, w.pos-start)
	return nil
}

// graphemeBoundaries reports for each byte offset of text (and its end)
// whether a grapheme cluster starts there.
func graphemeBoundaries(text string) []bool {
	at := make([]bool, len(text)+1)
	at[len(text)] = true
	for g := uniseg.NewGraphemes(text); g.Next(); {
		from, _ := g.Positions()
		at[from] = true
	}
	return at
}

// checkAgainstTiktoken encodes the sample (and cfg.CheckText) with
// tiktoken-go, an independent Go port of OpenAI's tiktoken, and says for each
// encoding whether its IDs equal tick's.
func checkAgainstTiktoken(w io.Writer, encs []*tokenizer.Encoding, cfg config) error {
	fmt.Fprintln(w, "Are tick's IDs right? Checked live against github.com/pkoukk/tiktoken-go, an")
	fmt.Fprintln(w, "independent port of OpenAI's tiktoken (regular expressions and the official rank files):")
	var sampleText string
	for i, l := range cfg.Lines {
		if i > 0 {
			sampleText += "\n"
		}
		sampleText += l.Text
	}
	for _, enc := range encs {
		ref, err := tiktokenref.Get(enc.Name())
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-12s sample text: %s", enc.Name(), verdict(enc.EncodeOrdinary(sampleText), ref.EncodeOrdinary(sampleText)))
		if cfg.CheckText != "" {
			fmt.Fprintf(w, "; %d bytes of %s: %s", len(cfg.CheckText), cfg.CheckName, verdict(enc.EncodeOrdinary(cfg.CheckText), ref.EncodeOrdinary(cfg.CheckText)))
		}
		fmt.Fprintln(w)
	}
	return nil
}

// verdict compares tick's IDs with the reference's: "agree (N tokens)", or
// "DIFFER" with the first position where they part.
func verdict(got, want []int) string {
	if slices.Equal(got, want) {
		return fmt.Sprintf("agree (%d tokens)", len(got))
	}
	n := 0
	for n < len(got) && n < len(want) && got[n] == want[n] {
		n++
	}
	return fmt.Sprintf("DIFFER at token %d (tick %d tokens, tiktoken-go %d)", n, len(got), len(want))
}
