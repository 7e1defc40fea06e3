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

// TestBPEErrors checks that each mistake gives one line saying what to do.
func TestBPEErrors(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(corpus, []byte("some text"), 0o644)
	os.WriteFile(empty, nil, 0o644)
	out := filepath.Join(dir, "v.tiktoken")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "needs a subcommand"},
		{[]string{"fit"}, "use train or explain"},
		{[]string{"train", "--vocab", "300", "--out", out}, "--file is missing"},
		{[]string{"train", "--file", filepath.Join(dir, "nope.txt"), "--vocab", "300", "--out", out}, "does not exist: check the path"},
		{[]string{"train", "--file", empty, "--vocab", "300", "--out", out}, "is empty"},
		{[]string{"train", "--file", corpus, "--vocab", "100", "--out", out}, "at least 256"},
		{[]string{"train", "--file", corpus, "--out", out}, "--vocab is missing"},
		{[]string{"train", "--file", corpus, "--vocab", "300"}, "--out is missing"},
		{[]string{"train", "--file", corpus, "--vocab", "300", "--out", filepath.Join(dir, "no", "v.tiktoken")}, "does not exist; create it"},
		{[]string{"train", "--file", corpus, "--vocab", "300", "--out", filepath.Join(dir, "v.txt")}, "should end in .tiktoken"},
		{[]string{"train", "--file", corpus, "--vocab", "300", "--out", out, "--pattern", "gpt5"}, "use gpt2, cl100k, o200k or none"},
		{[]string{"explain"}, "give the text to explain"},
		{[]string{"explain", "--token", "x"}, "not a number"},
		{[]string{"explain", "--encoding", "nope", "hi"}, "nope"},
	}
	quiet(t)
	for _, c := range cases {
		err := runBPE(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("tick bpe %s: error %v, want one line containing %q", strings.Join(c.args, " "), err, c.want)
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
