package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tick-llm/tick/internal/tty"
)

var progressLine = regexp.MustCompile(`^progress: (\d+)/30 steps \(\d+%\), loss [0-9.]+, [0-9.]+[kM]? tok/s, \S+ elapsed(, ~\S+ left)?$`)

// TestProgressNotTerminal: when the progress goes to a file or a buffer (no
// terminal), it is one plain line per evaluation, with no carriage-return
// redraws, and everything printed fits 80 columns (but the final line, which
// scripts read whole).
func TestProgressNotTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "progress.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if tty.Is(f) {
		t.Fatal("a regular file counts as a terminal")
	}
	o := tinyOptions(t)
	o.Progress = f
	var out bytes.Buffer
	if _, err := Run(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsRune(b, '\r') {
		t.Errorf("progress redraws with \\r in a file:\n%q", b)
	}
	var steps []string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		m := progressLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a progress line: %q", line)
		}
		steps = append(steps, m[1])
	}
	if got := strings.Join(steps, " "); got != "10 20 30" { // EvalEvery 10 of 30 steps
		t.Errorf("progress lines at steps %s, want one per evaluation: 10 20 30", got)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > lineWidth && !strings.HasPrefix(line, "final: ") {
			t.Errorf("line of %d characters: %q", n, line)
		}
	}
}
