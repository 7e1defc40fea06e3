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

// TestBPEExplainToken checks --token on ids that have no merge tree. A
// special token is explained (exit 0); an unused id is an error naming the
// ids there are. cl100k_base's ordinary tokens are 0..100255 and its
// <|endoftext|> is 100257, leaving 100256 unused (as in tiktoken), so an id
// inside 0..VocabSize-1 can still be no token.
func TestBPEExplainToken(t *testing.T) {
	dir := t.TempDir()
	r := tick(t, dir, "", "bpe", "explain", "--token", "100257")
	mustSucceed(t, r)
	if !strings.Contains(r.stdout, "<|endoftext|> (id 100257): a special token") || !strings.Contains(r.stdout, "not made by merging") {
		t.Errorf("--token 100257 does not say it is the special token <|endoftext|>, not made by merging:\n%s", r)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--token", "100256"}, []string{"cl100k_base has no token 100256", "ordinary tokens 0..100255", "100257 <|endoftext|>", "100276 <|endofprompt|>"}},
		{[]string{"--token", "-1"}, []string{"has no token -1", "0..100255"}},
		{[]string{"--encoding", "o200k_base", "--token", "199998"}, []string{"o200k_base has no token 199998", "0..199997", "199999 <|endoftext|>"}},
	} {
		r := tick(t, dir, "", append([]string{"bpe", "explain"}, c.args...)...)
		checkBadInput(t, r, c.want...)
		if strings.Contains(r.stderr, "valid ids are") {
			t.Errorf("the error still gives a range that holds the id:\n%s", r)
		}
	}

	// Many special tokens are summed up, not all listed.
	corpus := filepath.Join(dir, "corpus.txt")
	if err := os.WriteFile(corpus, []byte(strings.Repeat("the cat sat on the mat. ", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	vocab := filepath.Join(dir, "cats.tiktoken")
	args := []string{"bpe", "train", "--file", corpus, "--vocab", "262", "--out", vocab}
	for _, s := range []string{"a", "b", "c", "d", "e", "f"} {
		args = append(args, "--special", "<|"+s+"|>")
	}
	mustSucceed(t, tick(t, dir, "", args...))
	r = tick(t, dir, "", "bpe", "explain", "--encoding", vocab, "--token", "300")
	checkBadInput(t, r, "has no token 300", "ordinary tokens 0..261", "6 special tokens 262..267", "262 <|a|>")
}
