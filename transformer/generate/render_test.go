package generate

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tick-llm/tick/transformer/sample"
)

func sampleStep() Step {
	return Step{
		Step:        7,
		ContextIDs:  make([]int, 40),
		Window:      40,
		EntropyBits: 2,
		Candidates: []Candidate{
			{Text: "h", Candidate: sample.Candidate{ID: 104, Prob: 0.6, Final: 0.75, Kept: true, Reason: sample.ReasonKept}},
			{Text: " ", Candidate: sample.Candidate{ID: 32, Prob: 0.2, Final: 0.25, Kept: true, Reason: sample.ReasonKept}},
			{Text: "\xe2\x82", Candidate: sample.Candidate{ID: 99999, Prob: 0.1, Reason: sample.ReasonTopK}},
			{Text: "a very long token indeed", Candidate: sample.Candidate{ID: 7, Prob: 0.001, Reason: sample.ReasonTopP}},
		},
		Chosen: Choice{Choice: sample.Choice{ID: 32, Reason: sample.ReasonSampled, Prob: 0.25}, Text: " "},
	}
}

func TestRenderFitsWidth(t *testing.T) {
	context := []byte(strings.Repeat("the quick brown fox\n", 10))
	for _, width := range []int{40, 50, 60, 80, 120, 200} {
		var b strings.Builder
		if err := RenderStep(&b, sampleStep(), context, width); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: line of %d cells: %q", width, n, line)
			}
		}
		wants := []string{"step 7", "context (40 tokens): …", "fox↵", "entropy 2.00 bits",
			`chosen: 32 "·", sampled with p=0.250`}
		if width >= 80 {
			wants = append(wants, "as unsure as a fair pick among 4.0 tokens", "cut by top-k", "cut by top-p", `"<xe2><x82>"`)
		} else {
			wants = append(wants, "top-k", "top-p")
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("width %d: output lacks %q:\n%s", width, want, out)
			}
		}
		// The chosen candidate, and only it, is marked.
		if strings.Count(out, "▶") != 1 || !strings.Contains(out, "▶   1    32") {
			t.Errorf("width %d: chosen row not marked once:\n%s", width, out)
		}
	}
}

func TestRenderSlidWindow(t *testing.T) {
	s := sampleStep()
	s.Window = 16
	var b strings.Builder
	if err := RenderStep(&b, s, []byte("x"), 80); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "context (40 tokens, model reads last 16): x") {
		t.Errorf("a slid window is not shown:\n%s", b.String())
	}
}

func TestRenderChosenOutsideTop(t *testing.T) {
	s := sampleStep()
	s.Chosen = Choice{Choice: sample.Choice{ID: 5, Reason: sample.ReasonSampled, Prob: 0.01}, Text: "z"}
	var b strings.Builder
	if err := RenderStep(&b, s, nil, 80); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "(outside the top 4)") || strings.Contains(b.String(), "▶") {
		t.Errorf("a choice outside the table is not said to be:\n%s", b.String())
	}
}

// TestBarLength checks that a bar is p of its width, to an eighth of a cell.
func TestBarLength(t *testing.T) {
	eighths := map[rune]int{}
	for i, r := range []rune("▏▎▍▌▋▊▉█") {
		eighths[r] = i + 1
	}
	for _, width := range []int{4, 10, 37} {
		for _, p := range []float64{0, 1e-9, 0.01, 0.125, 0.3, 0.5, 0.999, 1, 1.5, math.NaN()} {
			got := 0.0
			for _, r := range bar(p, width) {
				got += float64(eighths[r]) / 8
			}
			want := min(max(p, 0), 1) * float64(width)
			if math.IsNaN(p) {
				want = 0
			}
			tol := 1.0 / 16
			if p > 0 && want < 1.0/8 {
				tol = 1.0 / 8 // a tiny probability still gets the thinnest bar
			}
			if math.Abs(got-want) > tol+1e-12 {
				t.Errorf("bar(%v, %d) is %v cells, want %v", p, width, got, want)
			}
		}
	}
}
