// Command tokenize shows one sample text as GPT-2, GPT-4 and GPT-4o see it:
// the tokens of each encoding side by side with their counts, where GPT-4o's
// tokenizer cuts the text differently from GPT-4's, and a live check that
// tick's token IDs equal those of an independent implementation
// (github.com/pkoukk/tiktoken-go, reading the same official rank files).
//
//	go run ./demos/tokenize [-text "your own text"] [-color=false]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/internal/tty"
	"github.com/tick-llm/tick/tokenizer"
)

// encodings are the three generations of OpenAI tokenizers, oldest first.
var encodings = []struct{ name, model string }{
	{"r50k_base", "GPT-2"},
	{"cl100k_base", "GPT-4"},
	{"o200k_base", "GPT-4o"},
}

// config says what the demo shows.
type config struct {
	Lines     []sampleLine // the sample text, one labelled line each
	Color     bool         // colour the tokens with ANSI escapes (terminals only)
	CheckText string       // extra text checked against tiktoken-go (Opticks); "" = the sample only
	CheckName string       // what CheckText is, for the narration
}

func main() {
	text := flag.String("text", "", "tokenize this text instead of the built-in sample")
	color := flag.Bool("color", tty.Is(os.Stdout), "colour the tokens (default: when writing to a terminal)")
	flag.Parse()

	cfg := config{Lines: sample, Color: *color && os.Getenv("NO_COLOR") == ""}
	if *text != "" {
		cfg.Lines = []sampleLine{{"your text", *text}}
	}
	if name, data, err := opticks(); err == nil {
		cfg.CheckText, cfg.CheckName = string(data), name
	} else {
		fmt.Fprintf(os.Stderr, "tokenize: checking the sample only: %v\n", err)
	}
	demo.Main("tokenize", func(_ context.Context, w io.Writer) error { return run(w, cfg) })
}

// run is the whole demo, writing to w.
func run(w io.Writer, cfg config) error {
	if len(cfg.Lines) == 0 {
		return fmt.Errorf("no sample text to tokenize")
	}
	encs := make([]*tokenizer.Encoding, len(encodings))
	for i, e := range encodings {
		enc, err := tokenizer.Get(e.name)
		if err != nil {
			return fmt.Errorf("load %s: %w", e.name, err)
		}
		encs[i] = enc
	}

	fmt.Fprintln(w, "A language model never sees letters. A tokenizer first cuts the text into")
	fmt.Fprintln(w, "tokens, pieces of a word or whole words, and gives each an ID; the model reads")
	fmt.Fprintln(w, "only the IDs. Here is one sample text under three generations of OpenAI's")
	fmt.Fprintln(w, "tokenizers: r50k_base (GPT-2, 50k tokens), cl100k_base (GPT-4, 100k tokens)")
	fmt.Fprintln(w, "and o200k_base (GPT-4o, 200k tokens).")
	fmt.Fprintln(w)
	if cfg.Color {
		fmt.Fprintln(w, "Each token has its own colour.")
	} else {
		fmt.Fprintln(w, "Tokens are separated by |.")
	}
	fmt.Fprintln(w, "· is a space, → a tab and ↵ a newline; other invisible characters show as")
	fmt.Fprintln(w, "<U+XXXX>, and ◌ stands under a mark (an accent, a vowel sign) that starts a")
	fmt.Fprintln(w, "token. A small number after a character (like ²) means that one character took")
	fmt.Fprintln(w, "that many tokens: byte-level BPE may split a character's UTF-8 bytes over")
	fmt.Fprintln(w, "several tokens, and a character may be several code points (👋🏽 is a hand and")
	fmt.Fprintln(w, "a skin tone). 'tick tokenize' lists the tokens of each.")

	ids := make([][][]int, len(encs)) // [encoding][line] -> token IDs
	for i, enc := range encs {
		ids[i] = make([][]int, len(cfg.Lines))
		for j, l := range cfg.Lines {
			ids[i][j] = enc.EncodeOrdinary(l.Text)
		}
	}

	for i, enc := range encs {
		fmt.Fprintf(w, "\n── %s (%s), %d tokens in the vocabulary ──\n", enc.Name(), encodings[i].model, enc.VocabSize())
		total := 0
		for j, l := range cfg.Lines {
			line, err := renderTokens(enc, ids[i][j], cfg.Color)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%-10s %3d  %s\n", l.Label, len(ids[i][j]), line)
			total += len(ids[i][j])
		}
		fmt.Fprintf(w, "%-10s %3d tokens\n", "total", total)
		fmt.Fprintf(w, "IDs of %q: %v\n", cfg.Lines[0].Text, ids[i][0])
	}

	fmt.Fprintln(w)
	if err := writeCounts(w, cfg.Lines, ids); err != nil {
		return err
	}
	fmt.Fprintln(w, "GPT-2 cuts numbers anywhere; since GPT-4 the split pattern cuts digits into groups")
	fmt.Fprintln(w, "of at most three before merging, so 1234567 is always 123|456|7.")
	fmt.Fprintln(w)
	if err := writeDifferences(w, encs[1], encs[2], cfg.Lines, ids[1], ids[2]); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return checkAgainstTiktoken(w, encs, cfg)
}
