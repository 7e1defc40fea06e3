package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/internal/pngfile"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/bpe"
	"github.com/tick-llm/tick/tokenizer/split"
)

// TestRun runs the demo on 60 KB of text and checks what it printed and
// wrote: the compression table holds, for every size, the token count of the
// held-out text that the plain reference trainer and the merge replay give
// independently; bytes per token starts at exactly 1 (bytes only) and never
// falls; the plot is a PNG; the saved vocabulary loads.
func TestRun(t *testing.T) {
	_, text := data.Default()
	text = text[:min(len(text), 60000)]
	dir := t.TempDir()
	cfg := config{
		Text: text, Source: "test text", HeldOut: 0.2,
		Sizes: []int{256, 300, 400}, Pattern: split.CL100K, FirstMerge: 5,
		Words: []string{" the"}, Out: dir,
	}
	var buf bytes.Buffer
	if err := run(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()

	cut := len(text) - int(float64(len(text))*cfg.HeldOut)
	ref, err := bpe.TrainReference(text[:cut], bpe.Options{VocabSize: 400, Pattern: split.CL100K})
	if err != nil {
		t.Fatal(err)
	}
	prev := 0.0
	for _, n := range cfg.Sizes {
		sub := &bpe.Vocab{Pattern: ref.Pattern, Merges: ref.Merges[:n-256], Tokens: ref.Tokens[:n]}
		tokens := len(sub.EncodeReplay(text[cut:]))
		bpt := float64(len(text)-cut) / float64(tokens)
		row := fmt.Sprintf("  %6d %8d %12.3f\n", n, tokens, bpt)
		if !strings.Contains(out, row) {
			t.Errorf("compression table lacks %q (from the reference trainer and replay)", row)
		}
		if n == 256 && tokens != len(text)-cut {
			t.Errorf("256 tokens (bytes only): %d tokens for %d bytes", tokens, len(text)-cut)
		}
		if bpt < prev {
			t.Errorf("bytes per token fell from %.3f to %.3f at %d tokens", prev, bpt, n)
		}
		prev = bpt
	}
	for _, m := range ref.Merges[:5] {
		if !strings.Contains(out, ref.FormatMerge(m)) {
			t.Errorf("first merges lack %q", ref.FormatMerge(m))
		}
	}

	img, err := pngfile.Read(filepath.Join(dir, "compression.png"))
	if err != nil {
		t.Fatalf("compression.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("compression.png is %v, too small to be a plot", b)
	}
	// Readable by everyone, like every file tick writes (issue 14: some
	// demos wrote their plots 0600).
	for _, name := range []string{"compression.png", "opticks.tiktoken", "opticks.json"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, %v; want mode 0644", name, st, err)
		}
	}
	enc, err := tokenizer.Get(filepath.Join(dir, "opticks.tiktoken"))
	if err != nil {
		t.Fatalf("saved vocabulary: %v", err)
	}
	if enc.VocabSize() != 400 {
		t.Errorf("saved vocabulary has %d tokens, want 400", enc.VocabSize())
	}
}

func TestSizesUpTo(t *testing.T) {
	for _, tc := range []struct {
		max  int
		want string
	}{
		{256, "[256]"},
		{1000, "[256 384 512 768 1000]"},
		{4096, "[256 384 512 768 1024 1536 2048 3072 4096]"},
	} {
		if got := fmt.Sprint(sizesUpTo(tc.max)); got != tc.want {
			t.Errorf("sizesUpTo(%d) = %s, want %s", tc.max, got, tc.want)
		}
	}
}
