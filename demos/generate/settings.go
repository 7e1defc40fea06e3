package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer/sample"
)

// setting is one way of picking the next token.
type setting struct {
	name string
	opts sample.Options
}

// settings are compared on the same distribution.
var settings = []setting{
	{"greedy", sample.Options{Temperature: 0, TopP: 1}},
	{"T=0.5", sample.Options{Temperature: 0.5, TopP: 1}},
	{"T=1", sample.Options{Temperature: 1, TopP: 1}},
	{"T=2", sample.Options{Temperature: 2, TopP: 1}},
	{"top-k 3", sample.Options{Temperature: 1, TopK: 3, TopP: 1}},
	{"top-p 0.9", sample.Options{Temperature: 1, TopP: 0.9}},
}

// column is one setting applied to the logits.
type column struct {
	name    string
	kept    int             // tokens that can still be drawn
	entropy float64         // bits, of the distribution drawn from (after the cuts)
	final   map[int]float64 // probability each listed token is drawn with (0 = cut)
}

// table is the candidates (most likely first, at T=1) and one column per
// setting.
type table struct {
	ids  []int
	prob []float64 // the model's own probability (T=1) of each candidate
	cols []column
}

// compareSettings applies each setting to the same logits. The sampler's
// random draw does not matter here (only the distributions are shown), so a
// fixed source is used.
func compareSettings(logits []float64, ss []setting, top int) (table, error) {
	var t table
	base, err := sample.Draw(logits, sample.Default, rand.New(rand.NewPCG(1, 2)), top)
	if err != nil {
		return t, err
	}
	for _, c := range base.Top {
		t.ids = append(t.ids, c.ID)
		t.prob = append(t.prob, c.Prob)
	}
	for _, s := range ss {
		st, err := sample.Draw(logits, s.opts, rand.New(rand.NewPCG(1, 2)), len(logits))
		if err != nil {
			return t, fmt.Errorf("%s: %w", s.name, err)
		}
		col := column{name: s.name, kept: st.Kept, final: map[int]float64{}}
		for _, c := range st.Top {
			col.final[c.ID] = c.Final
			if c.Final > 0 {
				col.entropy -= c.Final * math.Log2(c.Final)
			}
		}
		t.cols = append(t.cols, col)
	}
	return t, nil
}

// writeTable prints the candidates as rows and the settings as columns.
func writeTable(w io.Writer, t table, text func(int) []byte) {
	const cell = 10
	fmt.Fprintf(w, "\n%-12s %7s", "token", "model")
	for _, c := range t.cols {
		fmt.Fprintf(w, " %*s", cell, c.name)
	}
	fmt.Fprintln(w)
	for i, id := range t.ids {
		fmt.Fprintf(w, "%-12s %6.1f%%", quote(text(id)), 100*t.prob[i])
		for _, c := range t.cols {
			if p := c.final[id]; p > 0 {
				fmt.Fprintf(w, " %*.1f%%", cell-1, 100*p)
			} else {
				fmt.Fprintf(w, " %*s", cell, "cut")
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-12s %7s", "kept tokens", "")
	for _, c := range t.cols {
		fmt.Fprintf(w, " %*d", cell, c.kept)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-12s %7s", "entropy", "")
	for _, c := range t.cols {
		fmt.Fprintf(w, " %*.2f", cell, c.entropy)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "(\"model\" is the softmax of the logits; each column is the chance of being drawn;")
	fmt.Fprintln(w, "entropy, in bits, is how random the draw is: 0 = no choice at all.)")
}

// quote shows a token with its whitespace visible.
func quote(b []byte) string {
	return "\"" + tokenizer.Visible(b) + "\""
}

// indent puts a margin before every line of a text.
func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
