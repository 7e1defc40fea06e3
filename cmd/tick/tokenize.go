package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	tiktoken "github.com/pkoukk/tiktoken-go"
	"github.com/rivo/uniseg"
	"golang.org/x/term"

	"github.com/tick-llm/tick/internal/inputfile"
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
	in, err := openInput(words, *file)
	if err != nil {
		return err
	}
	defer in.Close()

	names := []string{*encName}
	if *all {
		if *format == "ids" {
			return errors.New("--all-encodings shows pretty, json or count output, not ids: drop --format ids")
		}
		names = tokenizer.Builtins()
	}
	// The input is encoded in chunks of about chunkSize bytes, cut where the
	// tokens cannot change (Encoding.CanCut), so memory does not grow with
	// the input: count keeps a number, ids prints each chunk's IDs as they
	// come. json and pretty print a header with the count first, so they
	// keep the IDs (4 bytes a token) and make the rest as they print;
	// special-token errors (--special raise) and --compare also need every
	// token before anything is printed. Several encodings read the same text
	// again, so --all-encodings keeps the text.
	if len(names) > 1 {
		if in.text, err = io.ReadAll(in); err != nil {
			return fmt.Errorf("read %s: %w", in.name, err)
		}
	}
	streamIDs := *format == "ids" && mode != tokenizer.SpecialRaise && !*compare
	keepIDs := *format != "count" && !streamIDs || *compare
	out := newPrinter(os.Stdout)
	stdout := bufio.NewWriterSize(out.w, 64<<10) // one write per token would be a system call per token
	defer stdout.Flush()                         // what was printed before an error
	out.w = stdout
	var results []*encodingResult
	nbytes := 0
	for _, name := range names {
		enc, err := loadEncoding(name, *pattern)
		if err != nil {
			return flagAdvice(err)
		}
		r := &encodingResult{enc: enc, stream: streamIDs}
		src := io.Reader(in)
		if in.text != nil {
			src = bytes.NewReader(in.text)
		}
		chunks := newChunker(src, enc, chunkSize)
		offset, invalidAt, newerAt, newer := 0, -1, -1, rune(0)
		for {
			chunk, err := chunks.next()
			if err != nil {
				return fmt.Errorf("read %s: %w", in.name, err)
			}
			if chunk == "" {
				break
			}
			if *compare && invalidAt < 0 {
				if at := tokenizer.InvalidUTF8(chunk); at >= 0 {
					invalidAt = offset + at
				}
			}
			if *compare && newerAt < 0 {
				if at, r := split.NewerThanGo(chunk); at >= 0 {
					newerAt, newer = offset+at, r
				}
			}
			if err := r.add(chunk, offset, mode, keepIDs, *compare); err != nil {
				return flagAdvice(err)
			}
			if streamIDs {
				for _, id := range r.last {
					writeID(stdout, id)
				}
			}
			offset += len(chunk)
		}
		nbytes = offset
		if *compare && invalidAt >= 0 {
			return fmt.Errorf("--compare: %s is not valid UTF-8 (first invalid byte at offset %d): tiktoken-go turns invalid bytes into U+FFFD before encoding, tick encodes the bytes as they are, so their IDs cannot agree there; give UTF-8 text to compare", in.name, invalidAt)
		}
		if *compare {
			if r.compare, err = compareWithTiktokenGo(r.ids(), r.want); err != nil {
				return err
			}
			if !strings.HasPrefix(r.compare, "agree") && newerAt >= 0 {
				return fmt.Errorf("--compare: %s has %U at byte %d, a character Unicode 16.0 added: tick classifies characters by Unicode %s, as OpenAI's tiktoken does, and tiktoken-go by Go's Unicode %s tables, so they split it differently (%s); compare on text without it", in.name, newer, newerAt, split.UnicodeVersion, unicode.Version, r.compare)
			}
		}
		results = append(results, r)
	}
	switch *format {
	case "ids":
		if !streamIDs {
			for _, chunk := range results[0].chunks {
				for _, id := range chunk {
					writeID(stdout, int(id))
				}
			}
		}
	case "count":
		for _, r := range results {
			if *all {
				fmt.Fprintf(stdout, "%-12s %d\n", r.enc.Name(), r.count)
			} else {
				fmt.Fprintln(stdout, r.count)
			}
		}
	}
	switch *format {
	case "json":
		if err := writeTokensJSON(out.w, results, *all); err != nil {
			return err
		}
	case "pretty":
		for i, r := range results {
			if i > 0 {
				fmt.Fprintln(out.w)
			}
			if err := out.pretty(r, nbytes); err != nil {
				return err
			}
		}
		if *all {
			fmt.Fprintln(out.w)
			for _, r := range results {
				noun := "tokens"
				if r.count == 1 {
					noun = "token"
				}
				fmt.Fprintf(out.w, "%-12s %6d %s\n", r.enc.Name(), r.count, noun)
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
	if err := stdout.Flush(); err != nil {
		return fmt.Errorf("write the tokens: %w", err)
	}
	if disagree {
		return errors.New("tick and tiktoken-go disagree (see above); please report the text")
	}
	return nil
}

// writeID writes one line of --format ids.
func writeID(w *bufio.Writer, id int) {
	b := strconv.AppendInt(w.AvailableBuffer(), int64(id), 10) // formatted in the writer's own buffer
	w.Write(append(b, '\n'))
}

// chunkSize is how much text tokenize encodes at a time: large enough that
// the cost per chunk does not show, small enough that a chunk's tokens
// take little memory.
const chunkSize = 256 << 10

// encodingResult is what one encoding made of the input.
type encodingResult struct {
	enc     *tokenizer.Encoding
	count   int       // tokens
	chunks  [][]int32 // every token's ID when they are kept, chunk by chunk as encoded (no character is split between two)
	last    []int     // the IDs of the last chunk
	want    []int     // tiktoken-go's IDs, with --compare
	compare string    // verdict of --compare, "" if not asked
	stream  bool      // the IDs of each chunk are printed as they come (last)
}

// ids returns the kept IDs in one slice.
func (r *encodingResult) ids() []int {
	ids := make([]int, 0, r.count)
	for _, chunk := range r.chunks {
		for _, id := range chunk {
			ids = append(ids, int(id))
		}
	}
	return ids
}

// add encodes the next chunk of the input, which starts at byte offset.
func (r *encodingResult) add(chunk string, offset int, mode tokenizer.SpecialMode, keep, compare bool) error {
	var ids []int
	var err error
	if keep || compare || r.stream {
		ids, err = r.enc.AppendEncode(r.last[:0], chunk, mode) // the last chunk's slice, reused
	} else {
		var n int
		n, err = r.enc.Count(chunk, mode) // the same count, without the list
		r.count += n
	}
	var special *tokenizer.SpecialTokenError
	if errors.As(err, &special) {
		// Where the token is in the whole input, not in this chunk.
		return &tokenizer.SpecialTokenError{Token: special.Token, Pos: offset + special.Pos}
	}
	if err != nil {
		return err
	}
	r.count += len(ids)
	r.last = ids
	if keep {
		kept := make([]int32, len(ids)) // IDs are below 2^24 (tokenizer's maxRank): half the memory of ints
		for i, id := range ids {
			kept[i] = int32(id)
		}
		r.chunks = append(r.chunks, kept)
	}
	if compare {
		ref, err := tiktokenGo(r.enc.Name())
		if err != nil {
			return err
		}
		if mode == tokenizer.SpecialAllow {
			r.want = append(r.want, ref.Encode(chunk, []string{"all"}, nil)...)
		} else {
			r.want = append(r.want, ref.EncodeOrdinary(chunk)...) // raise: Encode already checked there is no special token
		}
	}
	return nil
}

// input is where tokenize reads its text: the words of the command line,
// the file of --file (which must be a regular file) or standard input.
type input struct {
	io.Reader
	name string // for errors: "--file F", "standard input"
	text []byte // the whole text, when it is kept (--all-encodings)
	file *os.File
}

func (in *input) Close() error {
	if in.file != nil {
		return in.file.Close()
	}
	return nil
}

// openInput opens the text to tokenize: the words joined by spaces, or the
// file, or standard input.
func openInput(words []string, file string) (*input, error) {
	switch {
	case len(words) > 0 && file != "":
		return nil, errors.New("give either TEXT or --file, not both")
	case len(words) > 0:
		return &input{Reader: strings.NewReader(strings.Join(words, " ")), name: "the text"}, nil
	case file != "":
		f, _, err := inputfile.Open(file)
		var nr *inputfile.NotRegularError
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("--file %s does not exist: check the path", file)
		case errors.As(err, &nr):
			return nil, fmt.Errorf("--file %s is not a regular file (%s): give a text file", file, inputfile.Kind(nr.Mode))
		case err != nil:
			return nil, fmt.Errorf("--file %s cannot be read: %w", file, err)
		}
		return &input{Reader: f, name: "--file " + file, file: f}, nil
	}
	if err := checkStdin(); err != nil {
		return nil, err
	}
	if tty.Is(os.Stdin) {
		fmt.Fprintln(os.Stderr, "tick tokenize: reading text from standard input (end with Ctrl-D; or pass TEXT or --file)")
	}
	return &input{Reader: os.Stdin, name: "standard input"}, nil
}

// checkStdin refuses a standard input that never ends: a device such as
// /dev/zero (tick tokenize < /dev/zero). A terminal, /dev/null, a pipe and
// a file are fine.
func checkStdin() error {
	st, err := os.Stdin.Stat()
	if err != nil || st.Mode()&fs.ModeDevice == 0 || tty.Is(os.Stdin) {
		return nil
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(st, null) {
		return nil
	}
	return fmt.Errorf("standard input is %s, not text: pipe the text in or give --file", inputfile.Kind(st.Mode()))
}

// chunker reads text and cuts it into chunks of at least size bytes (the
// last may be shorter) at places where enc's tokens cannot change
// (Encoding.CanCut), so that encoding the chunks one after the other gives
// exactly the tokens of the whole text. Text with no such place (one long
// line of digits, or the pattern none) comes as one chunk.
type chunker struct {
	r       io.Reader
	enc     *tokenizer.Encoding
	size    int
	buf     []byte
	scanned int // buf[:scanned] was searched for a cut already
	eof     bool
}

func newChunker(r io.Reader, enc *tokenizer.Encoding, size int) *chunker {
	return &chunker{r: r, enc: enc, size: size}
}

// next returns the next chunk, or "" at the end of the text.
func (c *chunker) next() (string, error) {
	for {
		if len(c.buf) > c.size {
			for i := max(c.size, c.scanned); i < len(c.buf); i++ {
				// CanCut reads at most two bytes before the cut and one
				// after: it is given those, not a copy of the whole buffer.
				lo, hi := max(i-2, 0), min(i+2, len(c.buf))
				if c.enc.CanCut(string(c.buf[lo:hi]), i-lo) {
					chunk := string(c.buf[:i])
					c.buf = append(c.buf[:0], c.buf[i:]...)
					c.scanned = 0
					return chunk, nil
				}
			}
			// The last byte cannot be judged until the next one is read.
			c.scanned = len(c.buf) - 1
		}
		if c.eof {
			text := string(c.buf)
			c.buf = c.buf[:0]
			return text, nil
		}
		if err := c.fill(); err != nil {
			return "", err
		}
	}
}

// fill reads more of the text into buf.
func (c *chunker) fill() error {
	if cap(c.buf)-len(c.buf) < 64<<10 {
		c.buf = append(c.buf, make([]byte, max(c.size, len(c.buf)))...)[:len(c.buf)]
	}
	n, err := c.r.Read(c.buf[len(c.buf):cap(c.buf)])
	c.buf = c.buf[:len(c.buf)+n]
	if errors.Is(err, io.EOF) {
		c.eof = true
		return nil
	}
	return err
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

// compareWithTiktokenGo compares tick's IDs with tiktoken-go's (want,
// encoded chunk by chunk as tick's were: the cuts are where tiktoken's
// regular expressions cut too) and returns a one-line verdict.
func compareWithTiktokenGo(ids, want []int) (string, error) {
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
// readable, diff-friendly and the same on every run. With all, the objects
// are the items of an array, indented by two more spaces. The tokens are
// made from the IDs a batch at a time, as they are written.
func writeTokensJSON(w io.Writer, results []*encodingResult, all bool) error {
	bw := bufio.NewWriter(w)
	var doc io.Writer = bw
	if all {
		bw.WriteString("[\n  ")
		doc = &indenter{w: bw, indent: "\n  "}
	}
	for k, r := range results {
		if k > 0 {
			io.WriteString(doc, ",\n")
		}
		name, _ := marshalCompact(r.enc.Name())
		fmt.Fprintf(doc, "{\n  \"encoding\": %s,\n  \"count\": %d,\n", name, r.count)
		if r.compare != "" {
			verdict, _ := marshalCompact(r.compare)
			fmt.Fprintf(doc, "  \"tiktoken_go\": %s,\n", verdict)
		}
		io.WriteString(doc, "  \"tokens\": [")
		i := 0
		err := eachToken(r, func(toks []tokenizer.Token) error {
			for _, t := range toks {
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
					io.WriteString(doc, ",")
				}
				io.WriteString(doc, "\n    ")
				doc.Write(line)
				i++
			}
			return nil
		})
		if err != nil {
			return err
		}
		if r.count > 0 {
			io.WriteString(doc, "\n  ")
		}
		io.WriteString(doc, "]\n}")
	}
	if all {
		bw.WriteString("\n]")
	}
	bw.WriteString("\n")
	return bw.Flush()
}

// indenter writes to w with indent in place of every newline.
type indenter struct {
	w      io.Writer
	indent string
}

func (d *indenter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			m, err := d.w.Write(p)
			return n + m, err
		}
		if _, err := d.w.Write(p[:i]); err != nil {
			return n, err
		}
		if _, err := io.WriteString(d.w, d.indent); err != nil {
			return n, err
		}
		n += i + 1
		p = p[i+1:]
	}
	return n, nil
}

// eachToken calls f with the tokens of r, chunk by chunk as they were
// encoded (so that no character is split between two calls), with their
// byte offsets in the whole input.
func eachToken(r *encodingResult, f func([]tokenizer.Token) error) error {
	pos := 0
	for _, chunk := range r.chunks {
		ids := make([]int, len(chunk))
		for i, id := range chunk {
			ids[i] = int(id)
		}
		toks, err := r.enc.Tokens(ids)
		if err != nil {
			return err
		}
		for i := range toks {
			toks[i].Start += pos
			toks[i].End += pos
		}
		if len(toks) > 0 {
			pos = toks[len(toks)-1].End
		}
		if err := f(toks); err != nil {
			return err
		}
	}
	return nil
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

func (p *printer) pretty(r *encodingResult, nbytes int) error {
	ratio := 0.0
	if r.count > 0 {
		ratio = float64(nbytes) / float64(r.count)
	}
	fmt.Fprintf(p.w, "%s: %s, %s (%.2f bytes/token)\n", r.enc.Name(), words.Count(r.count, "token"), words.Count(nbytes, "byte"), ratio)
	// The tokens, wrapped; a newline token also ends the line, so the
	// text keeps its shape. Tokens that hold only part of a character
	// would show as <xNN> bytes, so a character split over tokens is
	// drawn once, as itself, with how many tokens it took (東²); the
	// tokens are listed after the IDs.
	var split []tokenizer.CharGroup
	seen := map[string]bool{}
	col, cell := 0, 0
	colourOf := make([]uint8, 0, r.count) // the colour of each token's cell, for its ID
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
			colourOf = append(colourOf, uint8(cell%len(tokenColours)))
		}
		cell++
		if bytes.HasSuffix(b, []byte("\n")) {
			fmt.Fprintln(p.w)
			col = 0
		}
	}
	err := eachToken(r, func(toks []tokenizer.Token) error {
		for _, g := range tokenizer.CharGroups(toks) {
			if !g.Split() {
				for _, t := range g.Tokens {
					draw(t.Bytes, 1)
				}
				continue
			}
			draw(g.Text, len(g.Tokens))
			if key := fmt.Sprint(groupIDs(g)); !seen[key] {
				seen[key] = true
				// A copy: the group's tokens share an array with the whole
				// chunk's, which would stay in memory with it.
				split = append(split, tokenizer.CharGroup{Tokens: slices.Clone(g.Tokens), Text: bytes.Clone(g.Text)})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if col > 0 || r.count == 0 {
		fmt.Fprintln(p.w)
	}
	// The IDs, wrapped the same way, each in the colour of its cell.
	col = 0
	i := 0
	for _, chunk := range r.chunks {
		for _, id32 := range chunk {
			id := int(id32)
			s := strconv.Itoa(id)
			if p.colour {
				s = tokenColours[colourOf[i]] + s + colourReset
			}
			i++
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
	}
	fmt.Fprintln(p.w)
	p.splitCharacters(split)
	return nil
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
