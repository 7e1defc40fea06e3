package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/tick-llm/tick/internal/tty"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/bpe"
	"github.com/tick-llm/tick/tokenizer/split"
)

func init() {
	commands["bpe"] = command{
		summary: "train or explain a byte-level BPE vocabulary",
		run:     runBPE,
	}
}

const bpeUsage = `Usage:
  tick bpe train --file F --vocab N [--pattern gpt2|cl100k|o200k|none]
                 [--special TOKEN]... --out NAME.tiktoken
  tick bpe explain [--encoding E] TEXT...
  tick bpe explain [--encoding E] --token ID

Run 'tick bpe train -h' or 'tick bpe explain -h' for the flags.`

func runBPE(args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, bpeUsage)
		return errors.New("bpe needs a subcommand: train or explain")
	}
	switch args[0] {
	case "train":
		return bpeTrain(args[1:])
	case "explain":
		return bpeExplain(args[1:])
	case "-h", "--help", "help":
		fmt.Println(bpeUsage)
		return nil
	}
	return fmt.Errorf("unknown bpe subcommand %q: use train or explain", args[0])
}

// bpeSpecials is a flag that may be given many times.
type bpeSpecials []string

func (l *bpeSpecials) String() string     { return strings.Join(*l, " ") }
func (l *bpeSpecials) Set(s string) error { *l = append(*l, s); return nil }

func bpeTrain(args []string) error {
	flags := newFlags("tick bpe train", "Usage: tick bpe train --file F --vocab N [--pattern P] [--special TOKEN]...\n                      --out NAME.tiktoken\n\n"+
		"Learns a byte-level BPE vocabulary from a text file and saves it as a\n"+
		"tiktoken rank file plus a NAME.json sidecar; use it with\n"+
		"'tick tokenize --encoding NAME.tiktoken'.")
	file := flags.String("file", "", "text `file` to train on")
	vocab := flags.Int("vocab", 0, "vocabulary size: 256 byte tokens plus N-256 merges (at least 256)")
	pattern := flags.String("pattern", "cl100k", "split pattern: gpt2, cl100k, o200k or none")
	out := flags.String("out", "", "where to write the rank `file` (NAME.tiktoken;\nNAME.json is written next to it)")
	var special bpeSpecials
	flags.Var(&special, "special", "a special `token` such as <|endoftext|> (repeat for more)")
	pos, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: bpe train reads its text with --file, e.g. --file %s", pos[0], pos[0])
	}

	switch {
	case *file == "":
		return errors.New("--file is missing: give the text to train on, e.g. --file $(go env GOROOT)/src/testdata/Isaac.Newton-Opticks.txt")
	case *vocab == 0:
		return errors.New("--vocab is missing: give the vocabulary size, e.g. --vocab 1024 (at least 256)")
	case *out == "":
		return errors.New("--out is missing: give where to save the vocabulary, e.g. --out mine.tiktoken")
	}
	pat, err := split.Parse(*pattern)
	if err != nil {
		return fmt.Errorf("--pattern: %w", err)
	}
	opts := bpe.Options{VocabSize: *vocab, Pattern: pat, Special: special}
	if err := opts.Validate(); err != nil {
		return err
	}
	if err := bpe.CheckSavePath(*out); err != nil {
		return bpeSaveAdvice(err)
	}
	text, err := readFlagFile("--file", *file)
	if err != nil {
		return err
	}
	if len(text) == 0 {
		return fmt.Errorf("--file %s is empty: train on a file with some text in it", *file)
	}

	var bar *progressbar.ProgressBar
	// A redrawn bar is only readable on a terminal; in a log it is noise.
	if *vocab > bpe.MinVocabSize && tty.Is(os.Stderr) {
		bar = progressbar.NewOptions(*vocab-bpe.MinVocabSize,
			progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription("merges"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("merges"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
		)
		opts.Progress = func(done, total int) { bar.Set(done) }
	}
	fmt.Fprintf(os.Stderr, "training on %s (%s bytes), pattern %s\n", *file, bpeCommas(len(text)), pat)
	start := time.Now()
	v, err := bpe.Train(text, opts)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(os.Stderr)
	}
	if err := v.Save(*out); err != nil {
		return bpeSaveAdvice(err)
	}

	fmt.Printf("learned %d merges in %.2fs\n", len(v.Merges), took.Seconds())
	if v.Size() < *vocab {
		fmt.Printf("note: the text ran out of pairs, so the vocabulary has %d tokens, not %d: give more text for more\n", v.Size(), *vocab)
	}
	enc, err := tokenizer.Get(*out)
	if err != nil {
		return fmt.Errorf("load the saved vocabulary back: %w", flagAdvice(err))
	}
	n, err := enc.Count(string(text), tokenizer.SpecialOrdinary)
	if err != nil {
		return err
	}
	fmt.Printf("compression: %.2f bytes per token (%s bytes -> %s tokens)\n",
		float64(len(text))/float64(n), bpeCommas(len(text)), bpeCommas(n))
	shown := min(len(v.Merges), 20)
	if shown > 0 {
		fmt.Printf("first %d merges (· is a space, → a tab, ↵ a newline):\n", shown)
	}
	for _, m := range v.Merges[:shown] {
		fmt.Printf("  %s\n", v.FormatMerge(m))
	}
	fmt.Printf("wrote %s and %s\n", *out, tokenizer.SidecarPath(*out))
	fmt.Printf("try: tick bpe explain --encoding %s 'some text'\n", *out)
	return nil
}

// bpeSaveAdvice names --out in the error of a save that would replace a
// file that is not a sidecar.
func bpeSaveAdvice(err error) error {
	var ns *bpe.NotSidecarError
	if errors.As(err, &ns) {
		return fmt.Errorf("%s exists and is not a tokenizer sidecar (%s), and --out %s writes its sidecar there: rename that file, or choose another --out", ns.Path, ns.Why, ns.RankFile)
	}
	return err
}

func bpeExplain(args []string) error {
	flags := newFlags("tick bpe explain", "Usage: tick bpe explain [--encoding E] TEXT...\n       tick bpe explain [--encoding E] --token ID\n\n"+
		"Shows the merges that turn each piece of TEXT into tokens, or how one token\nwas built. With no TEXT, reads standard input.")
	encName := flags.String("encoding", "cl100k_base", "a built-in (r50k_base, p50k_base, cl100k_base,\no200k_base), llama3:PATH or a .tiktoken file")
	pattern := flags.String("pattern", "", "split pattern of a .tiktoken file with no sidecar:\ngpt2, cl100k, o200k or none")
	token := flags.String("token", "", "show the merge tree of this token `ID` instead")
	words, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	if *token != "" && len(words) > 0 {
		return fmt.Errorf("unexpected argument %q: --token shows one token's merge tree; give either --token ID or TEXT", words[0])
	}
	if *token == "" && len(words) == 0 && !tty.Is(os.Stdin) {
		if err := checkStdin(); err != nil {
			return err
		}
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		if len(data) > 0 {
			words = []string{string(data)}
		}
	}
	if *token == "" && len(words) == 0 {
		return errors.New("give the text to explain, e.g. tick bpe explain --encoding cl100k_base ' tokenization'")
	}
	enc, err := loadEncoding(*encName, *pattern)
	if err != nil {
		return flagAdvice(err)
	}
	if *token != "" {
		id, err := strconv.Atoi(*token)
		if err != nil {
			return fmt.Errorf("--token %q is not a number: give a token ID, e.g. --token 4037", *token)
		}
		if enc.IsSpecial(id) {
			b, _ := enc.TokenBytes(id)
			fmt.Printf("%s (id %d): a special token, added whole, not made by merging\n", b, id)
			return nil
		}
		if _, err := enc.TokenBytes(id); err != nil {
			return noSuchToken(enc, id)
		}
		tree, err := bpe.MergeTree(enc, id)
		if err != nil {
			return err
		}
		return bpe.WriteTree(os.Stdout, tree)
	}
	pieces, err := bpe.Explain(enc, strings.Join(words, " "))
	if err != nil {
		return err
	}
	return bpe.WriteExplain(os.Stdout, enc, pieces)
}

// noSuchToken says that enc has no token id, and which ids it has: an id
// can be in range and still unused, as 100256 in cl100k_base, whose
// ordinary tokens end at 100255 and whose <|endoftext|> is 100257.
func noSuchToken(enc *tokenizer.Encoding, id int) error {
	last := enc.VocabSize() - 1 // the last ordinary token
	for ; last >= 0; last-- {
		if _, err := enc.TokenBytes(last); err == nil && !enc.IsSpecial(last) {
			break
		}
	}
	msg := fmt.Sprintf("--token %d: %s has no token %d: give one of its ordinary tokens 0..%d", id, enc.Name(), id, last)
	specials := enc.SpecialTokens()
	ids := slices.Sorted(maps.Values(specials))
	names := make(map[int]string, len(specials))
	for s, id := range specials {
		names[id] = s
	}
	const shown = 5
	var list []string
	for _, sid := range ids[:min(len(ids), shown)] {
		list = append(list, fmt.Sprintf("%d %s", sid, names[sid]))
	}
	switch {
	case len(ids) > shown:
		msg += fmt.Sprintf(" or of its %d special tokens %d..%d (%s, ...)", len(ids), ids[0], ids[len(ids)-1], strings.Join(list, ", "))
	case len(ids) > 0:
		msg += fmt.Sprintf(" or a special token: %s", strings.Join(list, ", "))
	}
	return errors.New(msg)
}

// bpeCommas writes n with thousands separators, as 1,234,567.
func bpeCommas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
