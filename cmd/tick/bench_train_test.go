package main

import "testing"

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
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkBadInput(t, tick(t, dir, "", tc.args...), tc.names...)
		})
	}
}
