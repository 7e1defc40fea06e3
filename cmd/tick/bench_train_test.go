package main

import (
	"strings"
	"testing"
)

// TestBenchTrainGenerateBadInput: the new bench targets reject bad flags
// with one line that names the flag, before any timing starts.
func TestBenchTrainGenerateBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		names []string
	}{
		{"train threads 0", []string{"bench", "train", "--threads", "0"}, []string{"--threads", "1,2"}},
		{"train threads junk", []string{"bench", "generate", "--threads", "one"}, []string{"--threads"}},
		{"train repeat 0", []string{"bench", "train", "--repeat", "0"}, []string{"--repeat"}},
		{"train extra argument", []string{"bench", "train", "now"}, []string{"now"}},
		{"generate too many tokens", []string{"bench", "generate", "--tokens", "999", "--llama2c", "/bin/true"}, []string{"999", "255"}},
		{"llmc missing", []string{"bench", "train", "--llmc", "/nonexistent/train_gpt2"}, []string{"--llmc", "/nonexistent/train_gpt2"}},
		{"llama2c not a program", []string{"bench", "generate", "--llama2c", "/"}, []string{"--llama2c"}},
		{"train unknown shape", []string{"bench", "train", "--shape", "gpt2-1.5B"}, []string{"--shape", "gpt2-1.5B", "nanogpt", "gpt2-124M"}},
		{"generate unknown shape", []string{"bench", "generate", "--shape", "stories7B"}, []string{"--shape", "stories7B", "stories42M", "stories110M"}},
		{"generate past a shape's context", []string{"bench", "generate", "--shape", "stories42M", "--tokens", "1024", "--llama2c", "/bin/true"}, []string{"1024", "1023"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkBadInput(t, tick(t, dir, "", tc.args...), tc.names...)
		})
	}
}

// TestBenchGenerateShape: --shape picks one of llama2.c's model shapes; with
// no peer to run the report says so instead of a speedup.
func TestBenchGenerateShape(t *testing.T) {
	r := tick(t, t.TempDir(), "", "bench", "generate", "--shape", "stories42M", "--tokens", "2", "--repeat", "1", "--threads", "1", "--python", "/nonexistent/python3")
	mustSucceed(t, r)
	if !strings.Contains(r.stdout, "8 layers x 512 (8 heads, hidden 1376), V 32000") {
		t.Errorf("the report does not name stories42M's shape:\n%s", r)
	}
	if last := lastLine(r.stdout); speedupLine.MatchString(last) || !strings.Contains(last, "peer") {
		t.Errorf("with no peer the last line is %q, want one that says there is no peer:\n%s", last, r)
	}
}
