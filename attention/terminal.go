package attention

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rivo/uniseg"
	"gonum.org/v1/gonum/mat"
)

// shades are the blocks drawn for a weight, from none to all of it.
var shades = []struct {
	below float64
	block string
}{
	{0.05, " "}, {0.15, "░"}, {0.35, "▒"}, {0.65, "▓"}, {2, "█"},
}

// Shade is the block drawn for attention weight a.
func Shade(a float64) string {
	for _, s := range shades {
		if a < s.below {
			return s.block
		}
	}
	return shades[len(shades)-1].block
}

// Legend says which weights each block stands for, on one line.
func Legend() string {
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

// maxLabel is the widest a token label may be at the start of a row, in
// terminal columns; longer ones are cut, ending in "…".
const maxLabel = 10

// Write draws each layer of layers (a row of heads: all of a layer's, or
// the ones picked) for a prompt whose tokens are labels: a heading
// "Layer L", the heads' maps side by side, as many as fit in width columns
// (the rest below), and a sentence per head on what it mostly does.
//
// In a map, row i is query token i, labelled on the left with its position
// and text, and column j is key token j, numbered along the top; each cell
// is the Shade of the weight query i gives key j.
func Write(w io.Writer, layers [][]Head, labels []string, width int) {
	for _, heads := range layers {
		if len(heads) == 0 {
			continue
		}
		fmt.Fprintf(w, "\nLayer %d\n", heads[0].Layer)
		for start := 0; start < len(heads); {
			n := writeBand(w, heads[start:], labels, width)
			start += n
		}
		for _, h := range heads {
			fmt.Fprintf(w, "  head %d: %s\n", h.Head, Describe(h.Weights))
		}
	}
}

// writeBand draws the maps of as many of heads as fit in width columns (at
// least one) side by side and returns how many it drew.
func writeBand(w io.Writer, heads []Head, labels []string, width int) int {
	T := len(labels)
	idxW := len(fmt.Sprint(T - 1))
	labelW := 1
	for _, l := range labels {
		labelW = max(labelW, min(maxLabel, uniseg.StringWidth(l)))
	}
	margin := idxW + 1 + labelW + 2 // "12 token  " before the map
	colW := max(T, len("head 10"))  // a map, or its title if wider
	const sep, sepW = " │ ", 3      // between two maps; 3 columns wide
	// n maps take margin + n*colW + (n-1)*sepW columns.
	n := max(1, min(len(heads), (width-margin+sepW)/(colW+sepW)))
	heads = heads[:n]

	pad := func(s string, w int) string { return s + strings.Repeat(" ", max(0, w-uniseg.StringWidth(s))) }
	var lines []string
	title := strings.Repeat(" ", margin)
	for k, h := range heads {
		if k > 0 {
			title += "   "
		}
		title += pad(fmt.Sprintf("head %d", h.Head), colW)
	}
	lines = append(lines, title)
	// Key positions along the top: a line of tens (from 10 on) and a line
	// of units, one digit per column.
	digits := func(d func(j int) string) string {
		line := strings.Repeat(" ", margin)
		for k := range heads {
			if k > 0 {
				line += "   "
			}
			col := ""
			for j := range T {
				col += d(j)
			}
			line += pad(col, colW)
		}
		return line
	}
	if T > 10 {
		lines = append(lines, digits(func(j int) string {
			if j < 10 {
				return " "
			}
			return fmt.Sprint(j / 10 % 10)
		}))
	}
	lines = append(lines, digits(func(j int) string { return fmt.Sprint(j % 10) }))
	for i := range T {
		line := fmt.Sprintf("%*d %s  ", idxW, i, pad(cut(labels[i], labelW), labelW))
		for k, h := range heads {
			if k > 0 {
				line += sep
			}
			row := ""
			for j := range T {
				row += Shade(h.Weights.At(i, j))
			}
			line += pad(row, colW)
		}
		lines = append(lines, line)
	}
	for _, l := range lines {
		fmt.Fprintln(w, strings.TrimRight(l, " "))
	}
	return n
}

// cut shortens s to at most w terminal columns, ending in "…" if it was
// longer.
func cut(s string, w int) string {
	if uniseg.StringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && uniseg.StringWidth(string(r))+1 > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// Describe says in words what a head mostly does over the prompt: the mean
// weight each query gives to itself, to the token just before it, and to the
// first token, and which of the three dominates, if one clearly does (at
// least 0.3, and 1.2 times the runner-up), then where each row's strongest
// weight most often lies. Queries 1.. are averaged (query 0 can only look at
// itself).
func Describe(a *mat.Dense) string {
	T, _ := a.Dims()
	if T < 2 {
		return "has one token: it can only look at itself"
	}
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
	return fmt.Sprintf("%s\n          (mean weight: itself %.2f, previous %.2f, first %.2f;\n          strongest %s in %d of %d rows)",
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
