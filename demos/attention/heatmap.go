package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// shades are the blocks drawn for a weight, from none to all of it.
var shades = []struct {
	below float64
	block string
}{
	{0.05, " "}, {0.15, "░"}, {0.35, "▒"}, {0.65, "▓"}, {2, "█"},
}

// shade is the block for attention weight a.
func shade(a float64) string {
	for _, s := range shades {
		if a < s.below {
			return s.block
		}
	}
	return shades[len(shades)-1].block
}

// legend explains the shades.
func legend() string {
	var parts []string
	lo := 0.0
	for i, s := range shades {
		switch {
		case i == 0:
			parts = append(parts, fmt.Sprintf("\"%s\" < %.2f", s.block, s.below))
		case i == len(shades)-1:
			parts = append(parts, fmt.Sprintf("%s >= %.2f", s.block, lo))
		default:
			parts = append(parts, fmt.Sprintf("%s < %.2f", s.block, s.below))
		}
		lo = s.below
	}
	return strings.Join(parts, ", ")
}

// writeLayer draws the heads of one layer side by side: a row per query
// token, labelled with it, a column per key token, one character each.
func writeLayer(w io.Writer, heads []*mat.Dense, labels []string) {
	T := len(labels)
	cell := func(s string) string { // one column per token: its first character
		r, _ := utf8.DecodeRuneInString(s)
		return string(r)
	}
	head := strings.Repeat(" ", 6)
	for h := range heads {
		title := fmt.Sprintf("head %d", h)
		head += title + strings.Repeat(" ", max(1, T+3-len(title)))
	}
	fmt.Fprintln(w, strings.TrimRight(head, " "))
	keys := ""
	for _, l := range labels {
		keys += cell(l)
	}
	fmt.Fprintln(w, strings.TrimRight(strings.Repeat(" ", 6)+strings.Repeat(keys+"   ", len(heads)), " "))
	for i := range T {
		line := fmt.Sprintf("%5s ", cell(labels[i]))
		for h, a := range heads {
			if h > 0 {
				line += " │ "
			}
			for j := range T {
				line += shade(a.At(i, j))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// describe says in words what a head mostly does over the prompt: the mean
// weight each query gives to itself, to the token just before it, and to the
// first token, and which of the three dominates, if one clearly does (at
// least 0.3, and 1.2 times the runner-up), then where each row's strongest
// weight most often lies. Queries 1.. are averaged (query 0 can only look at
// itself).
func describe(a *mat.Dense) string {
	T, _ := a.Dims()
	var self, prev, first float64
	n := float64(T - 1)
	for i := 1; i < T; i++ {
		self += a.At(i, i) / n
		prev += a.At(i, i-1) / n
		first += a.At(i, 0) / n
	}
	what := "spreads its attention over many tokens"
	type score struct {
		v    float64
		what string
	}
	scores := []score{{prev, "the previous token"}, {self, "the token itself"}, {first, "the first token"}}
	slices.SortStableFunc(scores, func(x, y score) int { return cmp.Compare(y.v, x.v) })
	if scores[0].v >= 0.3 && scores[0].v > 1.2*scores[1].v {
		what = "mostly looks at " + scores[0].what
	}
	d, rows := commonOffset(a)
	return fmt.Sprintf("%s\n          (mean weight: itself %.2f, previous %.2f, first %.2f; strongest %s in %d of %d rows)",
		what, self, prev, first, offsetName(d), rows, T-1)
}

// commonOffset finds, for queries 1.., how far back each row's strongest
// weight lies (0 = the token itself), and returns the most common distance
// (the smallest on a tie) and in how many rows it occurs.
func commonOffset(a *mat.Dense) (d, rows int) {
	T, _ := a.Dims()
	counts := make([]int, T)
	for i := 1; i < T; i++ {
		best := 0
		for j := 1; j <= i; j++ {
			if a.At(i, j) > a.At(i, best) {
				best = j
			}
		}
		counts[i-best]++
	}
	for k, c := range counts {
		if c > rows {
			d, rows = k, c
		}
	}
	return d, rows
}

// offsetName says where a token d positions back is.
func offsetName(d int) string {
	switch d {
	case 0:
		return "on itself"
	case 1:
		return "on the previous token"
	}
	return fmt.Sprintf("%d tokens back", d)
}
