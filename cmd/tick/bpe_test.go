package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer"
)

// TestBPETrainCommand runs tick bpe train on a small file and loads the
// result back; then tick bpe explain on it.
func TestBPETrainCommand(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	if err := os.WriteFile(corpus, []byte(strings.Repeat("the cat sat on the mat. ", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "cats.tiktoken")
	quiet(t)
	err := runBPE([]string{"train", "--file", corpus, "--vocab", "262", "--pattern", "gpt2", "--special", "<|endoftext|>", "--special", "<|pad|>", "--out", out})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := tokenizer.Get(out)
	if err != nil {
		t.Fatal(err)
	}
	if enc.VocabSize() != 264 || enc.SpecialTokens()["<|pad|>"] != 263 {
		t.Fatalf("vocab size %d, specials %v; want 264 with <|pad|> = 263", enc.VocabSize(), enc.SpecialTokens())
	}
	if err := runBPE([]string{"explain", "--encoding", out, "the", "cat"}); err != nil {
		t.Fatal(err)
	}
	if err := runBPE([]string{"explain", "--token", "4037"}); err != nil {
		t.Fatal(err)
	}
}

// TestBPEErrors checks that each mistake gives one line that names the
// problem (the value or file at fault) and says what to do.
func TestBPEErrors(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(corpus, []byte("some text"), 0o644)
	os.WriteFile(empty, nil, 0o644)
	out := filepath.Join(dir, "v.tiktoken")
	nope := filepath.Join(dir, "nope.txt")
	noDir := filepath.Join(dir, "no")
	cases := []struct {
		args []string
		want []string // all must appear
	}{
		{[]string{}, []string{"needs a subcommand", "train or explain"}},
		{[]string{"fit"}, []string{`unknown bpe subcommand "fit"`, "use train or explain"}},
		{[]string{"train", "--vocab", "300", "--out", out}, []string{"--file is missing", "give the text"}},
		{[]string{"train", "--file", nope, "--vocab", "300", "--out", out}, []string{nope, "does not exist: check the path"}},
		{[]string{"train", "--file", empty, "--vocab", "300", "--out", out}, []string{empty, "is empty"}},
		{[]string{"train", "--file", corpus, "--vocab", "100", "--out", out}, []string{"vocab size 100 is too small", "at least 256"}},
		{[]string{"train", "--file", corpus, "--out", out}, []string{"--vocab is missing", "give the vocabulary size"}},
		{[]string{"train", "--file", corpus, "--vocab", "300"}, []string{"--out is missing", "give where to save"}},
		{[]string{"train", "--file", corpus, "--vocab", "300", "--out", filepath.Join(noDir, "v.tiktoken")}, []string{"folder " + noDir + " does not exist", "create it"}},
		{[]string{"train", "--file", corpus, "--vocab", "300", "--out", filepath.Join(dir, "v.txt")}, []string{"v.txt should end in .tiktoken"}},
		{[]string{"train", "--file", corpus, "--vocab", "300", "--out", out, "--pattern", "gpt5"}, []string{"--pattern", `unknown split pattern "gpt5"`, "use gpt2, cl100k, o200k or none"}},
		{[]string{"explain"}, []string{"give the text to explain"}},
		{[]string{"explain", "--token", "x"}, []string{`--token "x" is not a number`, "give a token ID"}},
		{[]string{"explain", "--encoding", "nope", "hi"}, []string{`unknown encoding "nope"`, "use one of"}},
	}
	quiet(t)
	for _, c := range cases {
		err := runBPE(c.args)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("tick bpe %s: error %v, want one line", strings.Join(c.args, " "), err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("tick bpe %s: error %q does not say %q", strings.Join(c.args, " "), err, w)
			}
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed run wrote %s", out)
	}
}

// quiet sends the command's output to /dev/null for the rest of the test.
func quiet(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = null, null
	t.Cleanup(func() { os.Stdout, os.Stderr = stdout, stderr; null.Close() })
}
