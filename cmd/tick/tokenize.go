package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	tiktoken "github.com/pkoukk/tiktoken-go"
	"github.com/rivo/uniseg"
	"golang.org/x/term"

	"github.com/tick-llm/tick/internal/tiktokenref"
	"github.com/tick-llm/tick/internal/tty"
	"github.com/tick-llm/tick/internal/words"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/split"
)

func init() {
	commands["tokenize"] = command{
		summary: "show how text becomes tokens",
		run:     runTokenize,
	}
}

const tokenizeUsage = `Usage: tick tokenize [TEXT...] [flags]

Shows the tokens of TEXT (or of --file F, or of standard input when neither
is given) under one encoding, or under every built-in one.

Examples:
  tick tokenize "Hello, world!"
  tick tokenize --encoding o200k_base --format json "naïve café"
  tick tokenize --all-encodings "    indented code"
  echo "<|endoftext|>" | tick tokenize --special allow

Flags:`

func runTokenize(args []string) error {
	flags := flag.NewFlagSet("tick tokenize", flag.ContinueOnError)
	encName := flags.String("encoding", "cl100k_base", "a built-in (r50k_base, p50k_base, cl100k_base,\no200k_base), llama3:PATH or a .tiktoken file")
	pattern := flags.String("pattern", "", "split pattern of a .tiktoken file with no sidecar:\ngpt2, cl100k, o200k or none")
	file := flags.String("file", "", "read the text from this file")
	format := flags.String("format", "pretty", "pretty|ids|json|count")
	special := flags.String("special", "raise", "text spelling a special token: raise (an error),\nallow (encode as special) or ordinary (plain text)")
	compare := flags.Bool("compare", false, "also encode with tiktoken-go and say if the IDs agree\n(built-in encodings only)")
	all := flags.Bool("all-encodings", false, "show the text under every built-in encoding, side by side")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), tokenizeUsage)
		flags.PrintDefaults()
	}
	words, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	mode, err := tokenizer.ParseSpecialMode(*special)
	if err != nil {
		return fmt.Errorf("--special: %w", err)
	}
	switch *format {
	case "pretty", "ids", "json", "count":
	default:
		return fmt.Errorf("unknown --format %q: use pretty, ids, json or count", *format)
	}
	text, err := readInput(words, *file)
	if err != nil {
		return err
	}

	names := []string{*encName}
	if *all {
		if *format == "ids" {
			return errors.New("--all-encodings shows pretty, json or count output, not ids: drop --format ids")
		}
		names = tokenizer.Builtins()
	}
	out := newPrinter(os.Stdout)
	var results []encodingResult
	for _, name := range names {
		enc, err := loadEncoding(name, *pattern)
		if err != nil {
			return flagAdvice(err)
		}
		ids, err := enc.Encode(text, mode)
		if err != nil {
			return flagAdvice(err)
		}
		toks, err := enc.Tokens(ids)
		if err != nil {
			return err
		}
		r := encodingResult{enc: enc, ids: ids, toks: toks}
		if *compare {
			r.compare, err = compareWithTiktokenGo(enc, text, mode, ids)
			if err != nil {
				return err
			}
		}
		results = append(results, r)
	}
	switch *format {
	case "ids":
		for _, id := range results[0].ids {
			fmt.Fprintln(out.w, id)
		}
	case "count":
		for _, r := range results {
			if *all {
				fmt.Fprintf(out.w, "%-12s %d\n", r.enc.Name(), len(r.ids))
			} else {
				fmt.Fprintln(out.w, len(r.ids))
			}
		}
	case "json":
		if err := writeTokensJSON(out.w, results, *all); err != nil {
			return err
		}
	case "pretty":
		for i, r := range results {
			if i > 0 {
				fmt.Fprintln(out.w)
			}
			out.pretty(r, len(text))
		}
		if *all {
			fmt.Fprintln(out.w)
			for _, r := range results {
				noun := "tokens"
				if len(r.ids) == 1 {
					noun = "token"
				}
				fmt.Fprintf(out.w, "%-12s %6d %s\n", r.enc.Name(), len(r.ids), noun)
			}
		}
	}
	// In machine formats the verdict goes to stderr, keeping stdout clean.
	verdicts := out.w
	if *format != "pretty" {
		verdicts = os.Stderr
	}
	disagree := false
	for _, r := range results {
		if r.compare != "" {
			fmt.Fprintf(verdicts, "%s vs tiktoken-go: %s\n", r.enc.Name(), r.compare)
			disagree = disagree || !strings.HasPrefix(r.compare, "agree")
		}
	}
	if disagree {
		return errors.New("tick and tiktoken-go disagree (see above); please report the text")
	}
	return nil
}

type encodingResult struct {
	enc     *tokenizer.Encoding
	ids     []int
	toks    []tokenizer.Token
	compare string // verdict of --compare, "" if not asked
}

// readInput returns the text to tokenize: the words joined by spaces, or
// the file, or standard input.
func readInput(words []string, file string) (string, error) {
	switch {
	case len(words) > 0 && file != "":
		return "", errors.New("give either TEXT or --file, not both")
	case len(words) > 0:
		return strings.Join(words, " "), nil
	case file != "":
		data, err := readFlagFile("--file", file)
		if err != nil {
			return "", err
		}
		return string(data), nil
	}
	if tty.Is(os.Stdin) {
		fmt.Fprintln(os.Stderr, "tick tokenize: reading text from standard input (end with Ctrl-D; or pass TEXT or --file)")
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	return string(data), nil
}

// loadEncoding resolves --encoding (and --pattern for a bare rank file).
func loadEncoding(name, pattern string) (*tokenizer.Encoding, error) {
	if pattern == "" {
		return tokenizer.Get(name)
	}
	p, err := split.Parse(pattern)
	if err != nil {
		return nil, fmt.Errorf("--pattern: %w", err)
	}
	if slices.Contains(tokenizer.Builtins(), name) || strings.HasPrefix(name, "llama3:") {
		return nil, fmt.Errorf("--pattern only applies to a .tiktoken file; %s has its own pattern: drop --pattern", name)
	}
	return tokenizer.Load(name, p, nil)
}

// tiktokenGo returns tiktoken-go's encoding of the same name, using the
// same embedded rank files, for comparisons.
func tiktokenGo(name string) (*tiktoken.Tiktoken, error) {
	if !slices.Contains(tokenizer.Builtins(), name) {
		return nil, fmt.Errorf("--compare needs a built-in encoding (%s), not %s: drop --compare or use a built-in --encoding", strings.Join(tokenizer.Builtins(), ", "), name)
	}
	return tiktokenref.Get(name)
}

// compareWithTiktokenGo encodes text with tiktoken-go the way mode asks and
// returns a one-line verdict.
func compareWithTiktokenGo(enc *tokenizer.Encoding, text string, mode tokenizer.SpecialMode, ids []int) (string, error) {
	ref, err := tiktokenGo(enc.Name())
	if err != nil {
		return "", err
	}
	var want []int
	if mode == tokenizer.SpecialAllow {
		want = ref.Encode(text, []string{"all"}, nil)
	} else {
		want = ref.EncodeOrdinary(text) // raise: Encode already checked there is no special token
	}
	for i := 0; i < min(len(ids), len(want)); i++ {
		if ids[i] != want[i] {
			return fmt.Sprintf("DIFFER at token %d: tick %d, tiktoken-go %d", i, ids[i], want[i]), nil
		}
	}
	if len(ids) != len(want) {
		return fmt.Sprintf("DIFFER: tick has %d tokens, tiktoken-go %d", len(ids), len(want)), nil
	}
	return "agree (" + words.Count(len(ids), "token") + ")", nil
}

// jsonToken is one token in --format json; field order is the output order.
type jsonToken struct {
	ID      int    `json:"id"`
	Text    string `json:"text"`   // the bytes as text; a partial UTF-8 character shows as U+FFFD
	Bytes   []int  `json:"bytes"`  // the exact bytes, 0..255
	Base64  string `json:"base64"` // the exact bytes, base64
	Start   int    `json:"start"`  // byte offsets in the input
	End     int    `json:"end"`
	Special bool   `json:"special,omitempty"`
}

// writeTokensJSON writes one object per encoding, one token per line:
// readable, diff-friendly and the same on every run.
func writeTokensJSON(w io.Writer, results []encodingResult, all bool) error {
	var docs []string
	for _, r := range results {
		var sb strings.Builder
		name, _ := marshalCompact(r.enc.Name())
		fmt.Fprintf(&sb, "{\n  \"encoding\": %s,\n  \"count\": %d,\n", name, len(r.ids))
		if r.compare != "" {
			verdict, _ := marshalCompact(r.compare)
			fmt.Fprintf(&sb, "  \"tiktoken_go\": %s,\n", verdict)
		}
		sb.WriteString("  \"tokens\": [")
		for i, t := range r.toks {
			bs := make([]int, len(t.Bytes))
			for i, b := range t.Bytes {
				bs[i] = int(b)
			}
			line, err := marshalCompact(jsonToken{ID: t.ID, Text: string(t.Bytes), Bytes: bs,
				Base64: base64.StdEncoding.EncodeToString(t.Bytes), Start: t.Start, End: t.End, Special: t.Special})
			if err != nil {
				return err
			}
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("\n    ")
			sb.Write(line)
		}
		if len(r.toks) > 0 {
			sb.WriteString("\n  ")
		}
		sb.WriteString("]\n}")
		docs = append(docs, sb.String())
	}
	out := docs[0]
	if all {
		out = "[\n  " + strings.ReplaceAll(strings.Join(docs, ",\n"), "\n", "\n  ") + "\n]"
	}
	_, err := fmt.Fprintln(w, out)
	return err
}

// marshalCompact is json.Marshal without escaping <, > and & (special
// tokens are full of them, and this is not HTML).
func marshalCompact(v any) ([]byte, error) {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	return []byte(strings.TrimSuffix(buf.String(), "\n")), nil
}

// printer renders tokens for a person: coloured backgrounds on a terminal,
// brackets elsewhere, wrapped to the terminal width.
type printer struct {
	w      io.Writer
	colour bool
	width  int
}

func newPrinter(f *os.File) *printer {
	p := &printer{w: f, width: 80}
	if tty.Is(f) {
		p.colour = os.Getenv("NO_COLOR") == ""
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 10 {
			p.width = w
		}
	}
	return p
}

// Background colours cycled over tokens: readable with the default
// foreground on both light and dark terminals.
var tokenColours = []string{"\x1b[48;5;153m\x1b[30m", "\x1b[48;5;222m\x1b[30m", "\x1b[48;5;157m\x1b[30m", "\x1b[48;5;217m\x1b[30m", "\x1b[48;5;183m\x1b[30m"}

const colourReset = "\x1b[0m"

func (p *printer) pretty(r encodingResult, nbytes int) {
	ratio := 0.0
	if len(r.ids) > 0 {
		ratio = float64(nbytes) / float64(len(r.ids))
	}
	fmt.Fprintf(p.w, "%s: %s, %s (%.2f bytes/token)\n", r.enc.Name(), words.Count(len(r.ids), "token"), words.Count(nbytes, "byte"), ratio)
	// The tokens, wrapped; a newline token also ends the line, so the
	// text keeps its shape. Tokens that hold only part of a character
	// would show as <xNN> bytes, so a character split over tokens is
	// drawn once, as itself, with how many tokens it took (東²); the
	// tokens are listed after the IDs.
	groups := tokenizer.CharGroups(r.toks)
	var split []tokenizer.CharGroup
	seen := map[string]bool{}
	col, cell := 0, 0
	cellOf := make([]int, 0, len(r.ids)) // the cell each token is drawn in, for the colour of its ID
	draw := func(b []byte, tokens int) {
		vis := tokenizer.Visible(b)
		s, w := "["+vis+"]", uniseg.StringWidth(vis)+2
		if p.colour {
			s, w = tokenColours[cell%len(tokenColours)]+vis+colourReset, w-2
		}
		if tokens > 1 {
			s += tokenizer.Superscript(tokens)
			w += len(strconv.Itoa(tokens))
		}
		if col > 0 && col+w > p.width {
			fmt.Fprintln(p.w)
			col = 0
		}
		fmt.Fprint(p.w, s)
		col += w
		for range tokens {
			cellOf = append(cellOf, cell)
		}
		cell++
		if bytes.HasSuffix(b, []byte("\n")) {
			fmt.Fprintln(p.w)
			col = 0
		}
	}
	for _, g := range groups {
		if !g.Split() {
			for _, t := range g.Tokens {
				draw(t.Bytes, 1)
			}
			continue
		}
		draw(g.Text, len(g.Tokens))
		if key := fmt.Sprint(groupIDs(g)); !seen[key] {
			seen[key] = true
			split = append(split, g)
		}
	}
	if col > 0 || len(r.toks) == 0 {
		fmt.Fprintln(p.w)
	}
	// The IDs, wrapped the same way, each in the colour of its cell.
	col = 0
	for i, id := range r.ids {
		s := strconv.Itoa(id)
		if p.colour {
			s = tokenColours[cellOf[i]%len(tokenColours)] + s + colourReset
		}
		w := len(strconv.Itoa(id)) + 1
		if col > 0 && col+w > p.width {
			fmt.Fprintln(p.w)
			col = 0
		}
		if col > 0 {
			fmt.Fprint(p.w, " ")
		}
		fmt.Fprint(p.w, s)
		col += w
	}
	fmt.Fprintln(p.w)
	p.splitCharacters(split)
}

// splitCharacters lists each character drawn above with a count (each
// distinct one once): the ID and bytes of every token it took, as
// 東 = 14276 [<xe6><x9d>] + 109 [<xb1>], wrapped to the width.
func (p *printer) splitCharacters(groups []tokenizer.CharGroup) {
	if len(groups) == 0 {
		return
	}
	fmt.Fprintln(p.w, "split characters (ID [bytes] of the tokens that only together make each):")
	const indent = "      "
	for _, g := range groups {
		line := "  " + tokenizer.Visible(g.Text) + " ="
		col := uniseg.StringWidth(line)
		for i, t := range g.Tokens {
			item := fmt.Sprintf("%d [%s]", t.ID, tokenizer.Visible(t.Bytes))
			if i > 0 {
				item = "+ " + item
			}
			w := uniseg.StringWidth(item)
			if col+1+w > p.width {
				fmt.Fprintln(p.w, line)
				line, col = indent+item, len(indent)+w
				continue
			}
			line += " " + item
			col += 1 + w
		}
		fmt.Fprintln(p.w, line)
	}
}

// groupIDs is the IDs of a group's tokens.
func groupIDs(g tokenizer.CharGroup) []int {
	ids := make([]int, len(g.Tokens))
	for i, t := range g.Tokens {
		ids[i] = t.ID
	}
	return ids
}
