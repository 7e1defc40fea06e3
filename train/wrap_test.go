package train

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestWrap: every line fits, continuation lines carry the indent, and
// removing the line breaks gives back the text (a break replaces one space
// or splits a too-long word).
func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		s      string
		width  int
		indent string
	}{
		{"model: gpt, 4 layers, 4 heads (4 key/value), width 128, context 64, dropout 0: 825856 parameters (backend gonum)", 80, "  "},
		{"sample: " + strings.Repeat("x", 200), 80, "        "},
		{"sample: first line\nsecond line that is rather long " + strings.Repeat("ab ", 40), 30, "        "},
		{"short", 80, "  "},
		{"ünïcödé wörds " + strings.Repeat("é", 100), 20, " "},
	} {
		got := wrap(tc.s, tc.width, tc.indent)
		for i, line := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(line); n > tc.width {
				t.Errorf("wrap(%.20q, %d): line %d has %d characters: %q", tc.s, tc.width, i, n, line)
			}
			if i > 0 && !strings.HasPrefix(line, tc.indent) {
				t.Errorf("wrap(%.20q): line %d lacks the indent: %q", tc.s, i, line)
			}
		}
		// Undo: each break is either a dropped space or a split word.
		var rebuilt strings.Builder
		lines := strings.Split(got, "\n")
		orig := tc.s
		for i, line := range lines {
			if i > 0 {
				line = strings.TrimPrefix(line, tc.indent)
				switch {
				case strings.HasPrefix(orig, "\n"):
					rebuilt.WriteString("\n")
					orig = orig[1:]
				case strings.HasPrefix(orig, " "):
					rebuilt.WriteString(" ")
					orig = orig[1:]
				}
			}
			if !strings.HasPrefix(orig, line) {
				t.Fatalf("wrap(%.20q): line %d %q is not the text that follows (%.30q)", tc.s, i, line, orig)
			}
			rebuilt.WriteString(line)
			orig = orig[len(line):]
		}
		if rebuilt.String() != tc.s {
			t.Errorf("wrap(%.20q) lost text: %q", tc.s, rebuilt.String())
		}
	}
}
