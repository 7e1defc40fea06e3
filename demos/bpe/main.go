// Command bpe trains a small byte-level BPE vocabulary on real text and
// watches it grow: the first merges it learns, a word assembled merge by
// merge, and how many bytes of unseen text a token holds as the vocabulary
// grows, plotted to a PNG.
//
//	go run ./demos/bpe [-vocab 2048] [-out out/bpe]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/bpe"
	"github.com/tick-llm/tick/tokenizer/split"
)

// config says what to train and show.
type config struct {
	Text       []byte        // the corpus
	Source     string        // where it came from, for the narration
	HeldOut    float64       // last fraction of the text kept unseen, to measure compression
	Sizes      []int         // vocabulary sizes measured; the largest is trained
	Pattern    split.Pattern // split pattern used for training
	FirstMerge int           // how many of the first merges to list
	Words      []string      // words explained merge by merge
	Out        string        // folder for the plot and the vocabulary
}

func main() {
	vocab := flag.Int("vocab", 4096, "largest vocabulary to train")
	out := flag.String("out", filepath.Join("out", "bpe"), "folder for the plot and the trained vocabulary")
	flag.Parse()
	name, text := data.Default()
	cfg := config{
		Text: text, Source: name, HeldOut: 0.1,
		Sizes:   sizesUpTo(*vocab),
		Pattern: split.CL100K, FirstMerge: 12,
		Words: []string{" refrangibility", " Light"},
		Out:   *out,
	}
	demo.Main("bpe", func(_ context.Context, w io.Writer) error { return run(w, cfg) })
}

// sizesUpTo lists vocabulary sizes from 256 (bytes only) to max: powers of
// two and the midpoints 1.5 times them, with max itself last.
func sizesUpTo(max int) []int {
	var sizes []int
	for s := 256; s < max; s *= 2 {
		sizes = append(sizes, s)
		if s*3/2 < max {
			sizes = append(sizes, s*3/2)
		}
	}
	return append(sizes, max)
}

// run is the whole demo, writing to w.
func run(w io.Writer, cfg config) error {
	if len(cfg.Sizes) == 0 {
		return fmt.Errorf("no vocabulary sizes to measure")
	}
	sizes := slices.Sorted(slices.Values(cfg.Sizes))
	cut := len(cfg.Text) - int(float64(len(cfg.Text))*cfg.HeldOut)
	trainText, heldOut := cfg.Text[:cut], cfg.Text[cut:]
	if len(trainText) == 0 || len(heldOut) == 0 {
		return fmt.Errorf("text of %d bytes is too short to keep %.0f%% unseen", len(cfg.Text), 100*cfg.HeldOut)
	}

	fmt.Fprintln(w, "Byte-pair encoding (BPE) builds a vocabulary from text. It starts with the 256")
	fmt.Fprintln(w, "possible bytes as tokens, then repeats one step: find the pair of adjacent tokens")
	fmt.Fprintln(w, "that occurs most often and make it a new token. Frequent words end up as one token.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Text: %s, %d bytes.\n", cfg.Source, len(cfg.Text))
	fmt.Fprintf(w, "The first %d bytes train the vocabulary; the last %d are kept unseen, to\n", len(trainText), len(heldOut))
	fmt.Fprintln(w, "measure how well it compresses text it never saw. The text is first cut with")
	fmt.Fprintf(w, "GPT-4's split pattern (%s), so no token spans two words.\n", cfg.Pattern)

	start := time.Now()
	v, err := bpe.Train(trainText, bpe.Options{VocabSize: sizes[len(sizes)-1], Pattern: cfg.Pattern})
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(w, "\nLearned %d merges (a vocabulary of %d tokens) in %.2fs.\n", len(v.Merges), v.Size(), time.Since(start).Seconds())
	if v.Size() < sizes[len(sizes)-1] {
		fmt.Fprintf(w, "The text ran out of pairs before %d tokens; sizes above %d are left out.\n", sizes[len(sizes)-1], v.Size())
	}

	fmt.Fprintf(w, "\nThe first %d merges, most frequent pair first (· is a space):\n", min(cfg.FirstMerge, len(v.Merges)))
	for _, m := range v.Merges[:min(cfg.FirstMerge, len(v.Merges))] {
		fmt.Fprintf(w, "  %s\n", v.FormatMerge(m))
	}
	writeLongest(w, v, 8)

	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	vocabPath := filepath.Join(cfg.Out, "opticks.tiktoken")
	if err := v.Save(vocabPath); err != nil {
		return err
	}
	enc, err := tokenizer.Get(vocabPath)
	if err != nil {
		return fmt.Errorf("load the saved vocabulary: %w", err)
	}
	fmt.Fprintf(w, "\nSaved the vocabulary to %s (try: tick tokenize --encoding %s TEXT).\n", vocabPath, vocabPath)

	for _, word := range cfg.Words {
		fmt.Fprintf(w, "\nHow %q is assembled: the encoder starts from its bytes and applies the\n", word)
		fmt.Fprintln(w, "learned merges, lowest rank (earliest learned) first:")
		pieces, err := bpe.Explain(enc, word)
		if err != nil {
			return fmt.Errorf("explain %q: %w", word, err)
		}
		if err := bpe.WriteExplain(w, enc, pieces); err != nil {
			return err
		}
	}

	points, err := compression(v, sizes, heldOut)
	if err != nil {
		return err
	}
	gpt4, err := tokenizer.Get("cl100k_base")
	if err != nil {
		return err
	}
	ref := float64(len(heldOut)) / float64(len(gpt4.EncodeOrdinary(string(heldOut))))
	fmt.Fprintf(w, "\nCompression of the %d unseen bytes as the vocabulary grows:\n", len(heldOut))
	fmt.Fprintf(w, "  %6s %8s %12s\n", "vocab", "tokens", "bytes/token")
	for _, p := range points {
		fmt.Fprintf(w, "  %6d %8d %12.3f\n", p.size, p.tokens, p.bytesPerToken)
	}
	fmt.Fprintf(w, "  %6s %8d %12.3f  (GPT-4's cl100k_base, 100k tokens learned from far more text)\n",
		"100277", len(gpt4.EncodeOrdinary(string(heldOut))), ref)
	fmt.Fprintln(w, "Each merge can only join tokens, so more merges never mean more tokens; the first")
	fmt.Fprintln(w, "merges (common letter pairs, \"·the\") pay off most, later ones less and less.")

	plotPath := filepath.Join(cfg.Out, "compression.png")
	if err := plotCompression(plotPath, points, ref); err != nil {
		return err
	}
	fmt.Fprintf(w, "Plot: %s\n", plotPath)
	return nil
}

// writeLongest prints the n longest words learned as single tokens (letters,
// perhaps after a space): long words the text repeats often.
func writeLongest(w io.Writer, v *bpe.Vocab, n int) {
	ids := make([]int, 0, len(v.Tokens)-256)
	for id := 256; id < len(v.Tokens); id++ {
		if isWord(v.Tokens[id]) {
			ids = append(ids, id)
		}
	}
	slices.SortStableFunc(ids, func(a, b int) int { return len(v.Tokens[b]) - len(v.Tokens[a]) })
	fmt.Fprintf(w, "\nThe %d longest words that became a single token:", min(n, len(ids)))
	for _, id := range ids[:min(n, len(ids))] {
		fmt.Fprintf(w, " %s", tokenizer.Visible(v.Tokens[id]))
	}
	fmt.Fprintln(w)
}

// isWord reports whether tok is letters, perhaps after one leading space.
func isWord(tok []byte) bool {
	s := strings.TrimPrefix(string(tok), " ")
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
