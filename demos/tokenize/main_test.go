package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rivo/uniseg"

	"github.com/tick-llm/tick/internal/tiktokenref"
	"github.com/tick-llm/tick/tokenizer"
)

// TestRun runs the demo on the sample and checks what it printed against
// tiktoken-go, computed here independently: every encoding agrees, on the
// sample and on Newton's Opticks, and the counts table holds tiktoken-go's
// count for every line.
func TestRun(t *testing.T) {
	name, data, err := opticks()
	if err != nil {
		t.Fatalf("the check on real text needs Newton's Opticks, which ships with Go: %v", err)
	}
	cfg := config{Lines: sample, CheckText: string(data[:5000]), CheckName: name}
	var buf bytes.Buffer
	if err := run(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "DIFFER") {
		t.Errorf("tick and tiktoken-go differ:\n%s", out)
	}
	if n, wantAgree := strings.Count(out, "agree ("), 2*len(encodings); n != wantAgree {
		t.Errorf("%d \"agree\" verdicts, want %d", n, wantAgree)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour escapes in output with Color off")
	}

	for _, l := range sample {
		row := fmt.Sprintf("%-10s %6d %6d", l.Label, len(l.Text), len([]rune(l.Text)))
		for _, e := range encodings {
			ids, err := tiktokenref.EncodeOrdinary(e.name, l.Text)
			if err != nil {
				t.Fatal(err)
			}
			row += fmt.Sprintf(" %12d", len(ids))
		}
		if !strings.Contains(out, row+"\n") {
			t.Errorf("counts table lacks the row %q (computed with tiktoken-go)", row)
		}
	}
}

// TestColor checks that colour mode colours and plain mode separates.
func TestColor(t *testing.T) {
	enc, err := tokenizer.Get("cl100k_base")
	if err != nil {
		t.Fatal(err)
	}
	ids := enc.EncodeOrdinary("hello world")
	c, err := renderTokens(enc, ids, true)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(c, "\x1b[0m") != len(ids) {
		t.Errorf("coloured %q: want %d coloured tokens", c, len(ids))
	}
	p, err := renderTokens(enc, ids, false)
	if err != nil {
		t.Fatal(err)
	}
	if p != "hello|·world" {
		t.Errorf("plain rendering %q, want %q", p, "hello|·world")
	}
}

// TestDifferingSegments checks the alignment of two tokenizations: each
// stretch spells the same bytes on both sides, the sides cut it differently,
// and a text tokenized the same way by both has no stretches.
func TestDifferingSegments(t *testing.T) {
	a, b := gpt4And4o(t)
	found := 0
	for _, l := range sample {
		segs, err := differingSegments(a, b, l.Text, a.EncodeOrdinary(l.Text), b.EncodeOrdinary(l.Text))
		if err != nil {
			t.Fatal(err)
		}
		found += len(segs)
		for _, s := range segs {
			ta, _ := a.Decode(s.a)
			tb, _ := b.Decode(s.b)
			if !bytes.Equal(ta, tb) {
				t.Errorf("%s: stretch %q (GPT-4) vs %q (GPT-4o) are different text", l.Label, ta, tb)
			}
			if !strings.Contains(l.Text, string(ta)) {
				t.Errorf("%s: stretch %q is not in the line", l.Label, ta)
			}
			if slices.Equal(cuts(t, a, s.a), cuts(t, b, s.b)) {
				t.Errorf("%s: stretch %q is cut the same way by both (%v)", l.Label, ta, cuts(t, a, s.a))
			}
		}
	}
	if found == 0 {
		t.Error("GPT-4 and GPT-4o cut the whole sample the same way; the sample has Hindi, which they do not")
	}
	same := "hello world"
	segs, err := differingSegments(a, a, same, a.EncodeOrdinary(same), a.EncodeOrdinary(same))
	if err != nil || len(segs) != 0 {
		t.Errorf("an encoding compared with itself: %d stretches, err %v; want none", len(segs), err)
	}
}

// cuts returns the byte lengths of the tokens ids, which say where an
// encoding cuts the text they spell.
func cuts(t *testing.T, enc *tokenizer.Encoding, ids []int) []int {
	t.Helper()
	n := make([]int, len(ids))
	for i, id := range ids {
		b, err := enc.TokenBytes(id)
		if err != nil {
			t.Fatal(err)
		}
		n[i] = len(b)
	}
	return n
}

// TestDifferencesAligned checks the table of differing stretches lines up
// on a terminal: in every row the GPT-4o column starts at the same display
// column (CJK characters take two columns, combining marks none), as
// uniseg measures it, whatever the script of the GPT-4 column.
func TestDifferencesAligned(t *testing.T) {
	a, b := gpt4And4o(t)
	idsA, idsB := make([][]int, len(sample)), make([][]int, len(sample))
	for j, l := range sample {
		idsA[j], idsB[j] = a.EncodeOrdinary(l.Text), b.EncodeOrdinary(l.Text)
	}
	var buf bytes.Buffer
	if err := writeDifferences(&buf, a, b, sample, idsA, idsB); err != nil {
		t.Fatal(err)
	}
	columns := map[int][]string{} // display column of "GPT-4o:" -> rows
	scripts := map[string]bool{}
	for _, line := range strings.Split(buf.String(), "\n") {
		i := strings.Index(line, "GPT-4o:")
		if i < 0 || !strings.HasPrefix(line, "  ") {
			continue
		}
		columns[uniseg.StringWidth(line[:i])] = append(columns[uniseg.StringWidth(line[:i])], line)
		scripts[strings.Fields(line)[0]] = true
	}
	if !scripts["Japanese"] || !scripts["Hindi"] {
		t.Fatalf("the table has no Japanese or Hindi row to check:\n%s", buf.String())
	}
	if len(columns) != 1 {
		t.Errorf("the GPT-4o column starts at %d different display columns:\n%v", len(columns), columns)
	}
}

// gpt4And4o loads the two encodings the table of differences compares.
func gpt4And4o(t *testing.T) (a, b *tokenizer.Encoding) {
	t.Helper()
	a, err := tokenizer.Get("cl100k_base")
	if err != nil {
		t.Fatal(err)
	}
	b, err = tokenizer.Get("o200k_base")
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}
