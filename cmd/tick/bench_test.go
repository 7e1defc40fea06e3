package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer/samples"
)

// TestBenchScripts runs the per-script comparison on two samples: one row
// each, IDs agreeing, and the speedup line last. (The figures themselves
// are not asserted: a test never asserts a time.)
func TestBenchScripts(t *testing.T) {
	dir := t.TempDir()
	r := tick(t, dir, "", "bench", "tokenizer", "--encoding", "o200k_base", "--scripts", "zh,th", "--repeat", "1")
	mustSucceed(t, r)
	for _, name := range []string{"zh", "th"} {
		row := regexp.MustCompile(`(?m)^` + name + ` .* \d+\.\d\dx +\d+\.\d\dx  agree \(\d+ tokens; .+\)$`)
		if !row.MatchString(r.stdout) {
			t.Errorf("no row for %s matching %s:\n%s", name, row, r)
		}
	}
	if strings.Contains(r.stdout, "\nja ") {
		t.Errorf("a row for ja, which was not asked for:\n%s", r)
	}
	if last := lastLine(r.stdout); !speedupLine.MatchString(last) {
		t.Errorf("last line %q does not match %s:\n%s", last, speedupLine, r)
	}
}

// TestBenchScriptsBadInput: an unknown sample or a second input is one
// line naming the problem, before any timing.
func TestBenchScriptsBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		names []string
	}{
		{"unknown sample", []string{"bench", "tokenizer", "--scripts", "zh,klingon"}, append([]string{"klingon"}, samples.Names()...)},
		{"empty list", []string{"bench", "tokenizer", "--scripts", ""}, []string{"--scripts", "all"}},
		{"scripts and file", []string{"bench", "tokenizer", "--scripts", "all", "--file", "x.txt"}, []string{"--scripts", "--file"}},
		{"scripts and go-src", []string{"bench", "tokenizer", "--scripts", "all", "--go-src", "1"}, []string{"--scripts", "--go-src"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkBadInput(t, tick(t, dir, "", tc.args...), tc.names...)
		})
	}
}
