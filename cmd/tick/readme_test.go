package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeCommand is one "$ ..." line of a code block in README.md and the
// output pasted under it (up to the next command or the end of the block).
type readmeCommand struct {
	line   int    // line number in README.md
	shell  string // the command, as a user types it
	output []string
}

// readmeCommands extracts the commands of README.md's code blocks in order.
func readmeCommands(t *testing.T) []readmeCommand {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []readmeCommand
	var cur *readmeCommand // the command whose output is being read
	sc := bufio.NewScanner(f)
	inBlock := false
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			inBlock, cur = !inBlock, nil
		case inBlock && strings.HasPrefix(line, "$ "):
			cmds = append(cmds, readmeCommand{line: n, shell: strings.TrimPrefix(line, "$ ")})
			cur = &cmds[len(cmds)-1]
		case cur != nil:
			cur.output = append(cur.output, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cmds
}

// readmeSmall makes the README's training runs small enough for a test:
// the flags are appended, so they override nothing the README sets itself
// but the length of the run. Every other command runs exactly as written.
const readmeSmall = " --steps 20 --eval-every 10 --eval-batches 2 --sample-tokens 16"

// readmeTiming matches what differs between runs of the same command:
// durations and speeds.
var readmeTiming = regexp.MustCompile(`[0-9][0-9.,]*( ?(ms|s|MB/s|tok/s)\b|k? tok/s)|tokens_per_s=[0-9]+|elapsed=[0-9.]+s`)

// TestReadmeTour runs every command of README.md in order, as a newcomer
// would: in a fresh folder holding only the ./tick that `make build`
// writes. Each must succeed; where the command runs at full size and reads
// nothing a shortened run made, its output must be the one pasted (up to
// timings; a "..." line stands for lines left out).
func TestReadmeTour(t *testing.T) {
	cmds := readmeCommands(t)
	if len(cmds) < 5 {
		t.Fatalf("found %d commands in README.md; the tour has more", len(cmds))
	}
	dir := t.TempDir()
	bin, err := os.ReadFile(tickBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tick"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	shortened := false // a training run was cut short, so what reads it differs
	for _, c := range cmds {
		shell := c.shell
		if i := strings.Index(shell, "  #"); i >= 0 { // a comment for the reader
			shell = strings.TrimSpace(shell[:i])
		}
		if !strings.HasPrefix(shell, "./tick ") {
			t.Errorf("README.md:%d: %q: the tour's commands run ./tick, which make build writes", c.line, c.shell)
			continue
		}
		compare := !shortened && !strings.Contains(shell, "--model")
		if strings.HasPrefix(shell, "./tick train") {
			// The flags go on tick's own command line, before any pipe.
			head, tail, _ := strings.Cut(shell, " |")
			shell = head + readmeSmall
			if tail != "" {
				shell += " |" + tail
			}
			shortened, compare = true, false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-c", shell)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("README.md:%d: %s: %v\n%s", c.line, shell, err, out)
			continue
		}
		if compare {
			// The README was made where Go lives in /usr/local/go.
			printed := strings.ReplaceAll(strings.TrimRight(string(out), "\n"), goRoot, "/usr/local/go")
			if msg := matchPasted(c.output, strings.Split(printed, "\n")); msg != "" {
				t.Errorf("README.md:%d: %s: the pasted output is not what it prints: %s\nprinted:\n%s", c.line, shell, msg, out)
			}
		}
	}
}

// matchPasted reports where the pasted lines differ from the printed ones
// ("" if they match). A pasted "..." stands for any number of lines;
// timings are not compared.
func matchPasted(pasted, printed []string) string {
	mask := func(s string) string { return readmeTiming.ReplaceAllString(strings.TrimRight(s, " "), "T") }
	i := 0
	for k := 0; k < len(pasted); k++ {
		p := pasted[k]
		if strings.TrimSpace(p) == "..." {
			// Skip printed lines up to the next pasted one.
			if k+1 == len(pasted) {
				return ""
			}
			next := mask(pasted[k+1])
			for i < len(printed) && mask(printed[i]) != next {
				i++
			}
			continue
		}
		if i >= len(printed) {
			return "the output ends before the pasted line " + strconv.Quote(p)
		}
		if mask(printed[i]) != mask(p) {
			return "pasted " + strconv.Quote(p) + ", printed " + strconv.Quote(printed[i])
		}
		i++
	}
	if i != len(printed) {
		return "it prints more lines than are pasted, from " + strconv.Quote(printed[i])
	}
	return ""
}

// The matcher itself: "..." skips lines, timings are masked, and a wrong,
// missing or extra line is reported.
func TestMatchPasted(t *testing.T) {
	printed := []string{"a", "learned 768 merges in 0.06s", "b", "c", "d"}
	for _, tc := range []struct {
		pasted []string
		ok     bool
	}{
		{[]string{"a", "learned 768 merges in 0.04s", "b", "c", "d"}, true},
		{[]string{"a", "...", "d"}, true},
		{[]string{"a", "..."}, true},
		{[]string{"a", "learned 769 merges in 0.04s", "b", "c", "d"}, false},
		{[]string{"a", "...", "c"}, false},
		{[]string{"a", "learned 768 merges in 0.04s", "b", "c", "d", "e"}, false},
		{[]string{"x", "..."}, false},
	} {
		if got := matchPasted(tc.pasted, printed); (got == "") != tc.ok {
			t.Errorf("matchPasted(%q) = %q; want a match: %v", tc.pasted, got, tc.ok)
		}
	}
}
