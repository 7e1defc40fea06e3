package main

// Tests of issue 15's part A as a user meets it: sizes too large for the
// machine are refused at once (and tested under an address-space limit,
// so that a command that did allocate its big block would die instead of
// passing); inputs that never end (/dev/zero, a FIFO) or are no text (a
// folder) are refused by name; a vocabulary with a huge gap in its IDs is
// refused for training; tokenize keeps its memory flat however long the
// input, with the same tokens.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

	"github.com/tick-llm/tick/internal/filetree"
	"github.com/tick-llm/tick/internal/goroot"
	"github.com/tick-llm/tick/tokenizer"
)

// limitKB is the address space (ulimit -v) the memory refusals run under:
// enough for tick to start and refuse, far too little for any of the
// blocks it refuses.
const limitKB = 2_000_000

// tickUnder runs tick like tick() but under an address-space limit of
// limitKB kilobytes (0: none), with standard output to stdout (nil: kept in
// the result), and also returns its peak resident memory in kilobytes.
func tickUnder(t *testing.T, dir string, limitKB int, stdout io.Writer, args ...string) (result, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tickBin, args...)
	if limitKB > 0 {
		// sh -c 'ulimit -v N && exec tick ARGS...': the limit applies to tick itself.
		cmd = exec.CommandContext(ctx, "sh", append([]string{"-c", `ulimit -v "$0" && exec "$@"`, strconv.Itoa(limitKB), tickBin}, args...)...)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if stdout != nil {
		cmd.Stdout = stdout
	}
	err := cmd.Run()
	r := result{args: args, stdout: out.String(), stderr: stderr.String(), err: err}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.code, r.err = -1, fmt.Errorf("timed out after %v", cmdTimeout)
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatalf("cannot run tick: %v", err)
	}
	var rss int64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = ru.Maxrss // kilobytes on Linux
		}
	}
	return r, rss
}

// TestMemoryRefusals runs each size issue 15 found crashing out of memory,
// under ulimit -v: one line with the figures and the flag to lower, exit
// status 1, no run folder. --batch 200 would fit this machine but not the
// limit, so the limit is what refuses it; --batch 1000000000 for tick eval
// is refused after the text is tokenized, for a text long enough to fill
// such a batch.
func TestMemoryRefusals(t *testing.T) {
	dir := t.TempDir()
	run, _, text, _ := tinyTrained(t)
	long := filepath.Join(dir, "long.txt") // the tiny model's own text, 20 times: every character known
	if err := os.WriteFile(long, []byte(strings.Repeat(text, 20)), 0o644); err != nil {
		t.Fatal(err)
	}
	machine := fmt.Sprintf("this machine has %.1f GB (the address-space limit, ulimit -v)", float64(limitKB)*1024/1e9)
	cases := []struct {
		name  string
		args  []string
		names []string
	}{
		{"layers", []string{"train", "--layers", "100000"}, []string{"lower --layers"}},
		{"dim, one head", []string{"train", "--dim", "16384", "--heads", "1"}, []string{"lower --dim"}},
		{"ff-dim", []string{"train", "--ff-dim", "100000000"}, []string{"lower --ff-dim"}},
		{"batch 1e9", []string{"train", "--batch", "1000000000"}, []string{"lower --batch"}},
		{"batch 1e8", []string{"train", "--batch", "100000000"}, []string{"lower --batch"}},
		{"eval-batches", []string{"train", "--eval-batches", "1000000000"}, []string{"lower --eval-batches"}},
		{"sample-tokens", []string{"train", "--sample-tokens", "1000000000"}, []string{"lower --sample-tokens"}},
		{"batch that fits the machine, not the limit", []string{"train", "--batch", "200"}, []string{"lower --batch"}},
		{"llama context", []string{"train", "--preset", "llama", "--context", "100000"}, []string{"lower --context"}},
		{"eval --whole --batch 1e9", []string{"eval", "--model", run, "--data", long, "--whole", "--batch", "1000000000"}, []string{"lower --batch", "windows"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, fmt.Sprintf("run-%d", i))
			args := c.args
			if args[0] == "train" {
				args = append(args, "--out", out)
			}
			r, _ := tickUnder(t, dir, limitKB, nil, args...)
			checkBadInput(t, r, append([]string{"needs", "of memory", machine}, c.names...)...)
			if r.code != 1 {
				t.Errorf("exit status %d, want 1", r.code)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("the refused run created %s", out)
			}
		})
	}
	// The limit is what refused --batch 200: without it the estimate fits.
	if r, _ := tickUnder(t, dir, 0, nil, "train", "--batch", "200", "--steps", "0", "--out", filepath.Join(dir, "r")); strings.Contains(r.stderr, "of memory") {
		t.Errorf("--batch 200 is refused on this machine too, not only under the limit:\n%s", r)
	}
}

// TestResumeRefusesSavedSizes: a run folder whose state.json asks for
// sizes too large (or for /dev/zero as its text) is refused on --resume
// without touching the run, and the advice says the sizes cannot change on
// --resume.
func TestResumeRefusesSavedSizes(t *testing.T) {
	run, _, _, _ := tinyTrained(t)
	dir := t.TempDir()
	cases := []struct {
		name  string
		edit  map[string]any
		names []string
	}{
		{"batch", map[string]any{"batch": 1000000000}, []string{"needs", "of memory", "--batch", "cannot change on --resume", "state.json", "start a new run"}},
		{"layers", map[string]any{"layers": 100000}, []string{"needs", "of memory", "--layers", "cannot change on --resume"}},
		{"eval-batches", map[string]any{"eval-batches": 1000000000}, []string{"needs", "of memory", "lower --eval-batches"}},
		{"data /dev/zero", map[string]any{"data": "/dev/zero"}, []string{"/dev/zero", "is not a regular file (a character device)", "give a text file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			copyRun := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
			if err := os.CopyFS(copyRun, os.DirFS(run)); err != nil {
				t.Fatal(err)
			}
			statePath := filepath.Join(copyRun, "last", "state.json")
			var st map[string]any
			if err := json.Unmarshal(mustReadFile(t, statePath), &st); err != nil {
				t.Fatal(err)
			}
			opts := st["options"].(map[string]any)
			maps.Copy(opts, c.edit)
			b, _ := json.Marshal(st)
			if err := os.WriteFile(statePath, b, 0o644); err != nil {
				t.Fatal(err)
			}
			before := filetree.Snapshot(t, copyRun)
			r, _ := tickUnder(t, dir, limitKB, nil, "train", "--out", copyRun, "--resume")
			checkBadInput(t, r, c.names...)
			if after := filetree.Snapshot(t, copyRun); !maps.Equal(before, after) {
				t.Errorf("the refused resume changed the run folder:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestInputsMustBeRegularFiles gives every command that reads a file a
// character device, a link to one, a FIFO nobody writes to and a folder:
// each is refused at once (a FIFO would block a plain read forever, and
// the test's timeout would show it), in one line naming the path and what
// it is.
func TestInputsMustBeRegularFiles(t *testing.T) {
	dir := t.TempDir()
	corpus, _ := opticks(t, dir, "corpus.txt", 4000)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zeroLink := filepath.Join(dir, "zero.tiktoken")
	if err := os.Symlink("/dev/zero", zeroLink); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "zero.json"), []byte(`{"pattern":"cl100k","special_tokens":{}}`), 0o644)
	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o755)
	paths := []struct{ path, kind string }{
		{"/dev/zero", "a character device"},
		{zeroLink, "a character device"},
		{fifo, "a FIFO"},
		{folder, "a directory"},
	}
	commands := []struct {
		name string
		args func(p string) []string
	}{
		{"tokenize --file", func(p string) []string { return []string{"tokenize", "--file", p} }},
		{"tokenize --encoding", func(p string) []string { return []string{"tokenize", "--encoding", p, "--pattern", "cl100k", "hi"} }},
		{"bpe train --file", func(p string) []string {
			return []string{"bpe", "train", "--file", p, "--vocab", "300", "--out", filepath.Join(dir, "v.tiktoken")}
		}},
		{"train --data", func(p string) []string {
			return append([]string{"train", "--data", p, "--out", filepath.Join(dir, "r")}, tinyArgs...)
		}},
		{"train --tokenizer", func(p string) []string {
			return append([]string{"train", "--data", corpus, "--tokenizer", p, "--out", filepath.Join(dir, "r2")}, tinyArgs...)
		}},
		{"eval --data", func(p string) []string {
			run, _, _, _ := tinyTrained(t)
			return []string{"eval", "--model", run, "--data", p}
		}},
		{"bench --file", func(p string) []string { return []string{"bench", "tokenizer", "--file", p, "--repeat", "1"} }},
	}
	for _, c := range commands {
		for _, p := range paths {
			t.Run(c.name+" "+filepath.Base(p.path), func(t *testing.T) {
				// Under the limit: a regression reading /dev/zero dies at
				// once instead of filling the machine.
				r, _ := tickUnder(t, dir, limitKB, nil, c.args(p.path)...)
				checkBadInput(t, r, p.path, "is not a regular file ("+p.kind+")", "give")
			})
		}
	}
}

// TestStdinMustEnd: a standard input that never ends (/dev/zero) is
// refused at once by the commands that read it; /dev/null, which is a
// device too, is the empty text.
func TestStdinMustEnd(t *testing.T) {
	dir := t.TempDir()
	run := func(stdin string, args ...string) result {
		t.Helper()
		// sh -c 'ulimit -v N && exec tick ARGS < STDIN': a regression that
		// read /dev/zero would die at once instead of filling the machine.
		script := fmt.Sprintf(`ulimit -v %d && exec "$@" < %s`, limitKB, stdin)
		ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", script, "sh", tickBin}, args...)...)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), err: err}
		var exit *exec.ExitError
		if ctx.Err() != nil {
			r.code = -1
		} else if errors.As(err, &exit) {
			r.code = exit.ExitCode()
		}
		return r
	}
	for _, args := range [][]string{{"tokenize"}, {"tokenize", "--format", "count"}, {"bpe", "explain"}} {
		r := run("/dev/zero", args...)
		checkBadInput(t, r, "standard input is a character device", "--file")
	}
	r := run("/dev/null", "tokenize", "--format", "count")
	if r.code != 0 || r.stdout != "0\n" {
		t.Errorf("tokenize < /dev/null: want the count 0 of the empty text:\n%s", r)
	}
}

// TestTrainRefusesVocabularyGaps: a sidecar that numbers a special token
// 16,777,215 in a 300-token vocabulary would make a 16.7-million-row
// model; tick train refuses it and says how to number it instead.
func TestTrainRefusesVocabularyGaps(t *testing.T) {
	dir := t.TempDir()
	corpus, _ := opticks(t, dir, "corpus.txt", 4000)
	ranks := map[string]int{}
	for b := range 256 {
		ranks[string([]byte{byte(b)})] = b
	}
	var buf bytes.Buffer
	if err := tokenizer.WriteRanks(&buf, ranks); err != nil {
		t.Fatal(err)
	}
	vocab := filepath.Join(dir, "gap.tiktoken")
	os.WriteFile(vocab, buf.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "gap.json"), []byte(`{"pattern":"cl100k","special_tokens":{"<|endoftext|>":16777215}}`), 0o644)
	r, _ := tickUnder(t, dir, limitKB, nil, append([]string{"train", "--data", corpus, "--tokenizer", vocab, "--out", filepath.Join(dir, "r")}, tinyArgs...)...)
	checkBadInput(t, r, vocab, "largest token ID is 16777215", "only 257 tokens", "sidecar", "from 256")
}

// goSource returns at least n bytes of Go's own sources written to a file
// in dir: real text with long lines, indentation and every kind of
// character a tokenizer splits.
func goSource(t *testing.T, dir string, n int) (path, text string) {
	t.Helper()
	docs, err := goroot.GoFiles(filepath.Join(goRoot, "src"), n)
	if err != nil {
		t.Fatal(err)
	}
	text = strings.Join(docs, "")
	path = filepath.Join(dir, fmt.Sprintf("go-%d.txt", n))
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, text
}

// TestTokenizeLongInput tokenizes a few MB (many chunks) in each machine
// format and from standard input, and checks the tokens against
// tiktoken-go's of the whole text in one piece.
func TestTokenizeLongInput(t *testing.T) {
	dir := t.TempDir()
	path, text := goSource(t, dir, 3<<20)
	want := reference(t, "cl100k_base").EncodeOrdinary(text)

	r := tick(t, dir, "", "tokenize", "--file", path, "--format", "ids")
	succeeded(t, r)
	if got := parseIDs(t, r); !slices.Equal(got, want) {
		t.Fatalf("--format ids of %d bytes: %d IDs, tiktoken-go %d; first difference at %d", len(text), len(got), len(want), firstDiff(got, want))
	}
	for _, args := range [][]string{{"--file", path}, {}} {
		stdin := ""
		if len(args) == 0 {
			stdin = text
		}
		r := tick(t, dir, stdin, append([]string{"tokenize", "--format", "count"}, args...)...)
		succeeded(t, r)
		if got := strings.TrimSpace(r.stdout); got != strconv.Itoa(len(want)) {
			t.Errorf("--format count %v = %s, want %d", args, got, len(want))
		}
	}
	r = tick(t, dir, "", "tokenize", "--file", path, "--format", "json")
	succeeded(t, r)
	if got := checkJSONTokens(t, r, text); !slices.Equal(got, want) {
		t.Errorf("--format json: %d tokens, tiktoken-go %d; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
	r = tick(t, dir, "", "tokenize", "--file", path, "--format", "ids", "--special", "allow", "--compare")
	succeeded(t, r)
	if !strings.Contains(r.stderr, fmt.Sprintf("agree (%d tokens)", len(want))) {
		t.Errorf("--compare on %d bytes does not agree:\n%s", len(text), r.stderr)
	}
}

// TestTokenizeMemoryIsFlat measures tokenize's peak memory on 20 MB (count)
// and 4 MB (json) of Go source with GNU time (a child's own peak is hard
// to get otherwise: a child started by vfork reports its parent's): issue
// 15 measured 75–120 bytes per input byte for count and 490 for json
// (1.3–2.4 GB, and 4.9 GB for 10 MB). With chunks, count keeps a number
// and json the IDs: well under 150 MB.
func TestTokenizeMemoryIsFlat(t *testing.T) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Skip("needs GNU time (/usr/bin/time) to measure a command's peak memory; TestTokenizeAllocates checks without it")
	}
	dir := t.TempDir()
	for _, c := range []struct {
		format string
		size   int
	}{{"count", 20 << 20}, {"json", 4 << 20}} {
		path, text := goSource(t, dir, c.size)
		peak := filepath.Join(dir, "peak")
		cmd := exec.Command("/usr/bin/time", "-f", "%M", "-o", peak, tickBin, "tokenize", "--file", path, "--format", c.format)
		if out, err := cmd.Output(); err != nil {
			t.Fatalf("tick tokenize --format %s: %v\n%s", c.format, err, clip(string(out)))
		}
		kb, err := strconv.Atoi(strings.TrimSpace(string(mustReadFile(t, peak))))
		if err != nil {
			t.Fatalf("GNU time wrote %q: %v", mustReadFile(t, peak), err)
		}
		t.Logf("--format %s of %d bytes: peak %d MB", c.format, len(text), kb>>10)
		if kb > 150<<10 {
			t.Errorf("--format %s of %d bytes: peak resident memory %d MB; want under 150 MB", c.format, len(text), kb>>10)
		}
	}
}

// TestTokenizeAllocates runs tokenize in this process on 20 MB of Go
// source and counts every byte it allocates (runtime.MemStats.TotalAlloc),
// which bounds its peak memory from above: under 5 bytes per input byte
// for count and ids. Before the input was read in chunks, the list of
// tokens alone took some 20 bytes per input byte.
func TestTokenizeAllocates(t *testing.T) {
	dir := t.TempDir()
	path, text := goSource(t, dir, 20<<20)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	stdout := os.Stdout
	defer func() { os.Stdout = stdout }()
	if _, err := tokenizer.Get("cl100k_base"); err != nil { // loaded once per process: not the input's cost
		t.Fatal(err)
	}
	for _, format := range []string{"count", "ids"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		os.Stdout = devNull
		err := runTokenize([]string{"--file", path, "--format", format})
		os.Stdout = stdout
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(text))
		t.Logf("--format %s of %d bytes: %.1f bytes allocated per input byte", format, len(text), perByte)
		if perByte > 5 {
			t.Errorf("--format %s allocates %.1f bytes per input byte; want under 5", format, perByte)
		}
	}
}

// TestChunkerKeepsTokens feeds the chunker adversarial texts, a few bytes
// per read and with tiny chunks so that every cut it can make is made:
// one long line, nothing but spaces, an emoji run, digits, invalid bytes,
// text full of places to cut. The chunks must join to the text, start
// only where the encoding may cut (Encoding.CanCut), be at least the chunk
// size (but the last), and encode, one after the other, to the IDs of the
// whole text in one piece, for every encoding and special-token mode.
func TestChunkerKeepsTokens(t *testing.T) {
	opt := mustReadFile(t, filepath.Join(goRoot, "src", "testdata", "Isaac.Newton-Opticks.txt"))[:50000]
	texts := map[string]string{
		"empty":       "",
		"long line":   strings.Repeat("a", 5000),
		"words":       strings.Repeat("word ", 1000),
		"spaces":      strings.Repeat(" ", 5000),
		"newlines":    strings.Repeat("\n", 3000) + "x",
		"emoji run":   strings.Repeat("👨\u200d👩\u200d👧", 500),
		"digits":      strings.Repeat("1234567890", 500),
		"invalid":     strings.Repeat("\xff\xfe a\n", 500),
		"opticks":     string(opt),
		"specials":    strings.Repeat("a <|endoftext|> b\n<|fim_prefix|>c ", 200),
		"crlf":        strings.ReplaceAll(string(opt[:5000]), "\n", "\r\n"),
		"short lines": strings.Repeat("a\nb c\n", 1000),
	}
	for _, name := range builtins {
		enc, err := tokenizer.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		for what, text := range texts {
			for _, size := range []int{1, 7, 100, 4096} {
				var chunks []string
				c := newChunker(iotest.HalfReader(strings.NewReader(text)), enc, size)
				for {
					chunk, err := c.next()
					if err != nil {
						t.Fatal(err)
					}
					if chunk == "" {
						break
					}
					chunks = append(chunks, chunk)
				}
				if strings.Join(chunks, "") != text {
					t.Fatalf("%s, %s, size %d: the chunks do not join to the text", name, what, size)
				}
				at := 0
				for i, chunk := range chunks {
					if i < len(chunks)-1 && len(chunk) < size {
						t.Errorf("%s, %s, size %d: chunk %d has %d bytes, fewer than the size", name, what, size, i, len(chunk))
					}
					if at += len(chunk); i < len(chunks)-1 && !enc.CanCut(text, at) {
						t.Fatalf("%s, %s, size %d: a chunk ends at byte %d, where the encoding may not cut", name, what, size, at)
					}
				}
				for _, mode := range []tokenizer.SpecialMode{tokenizer.SpecialRaise, tokenizer.SpecialAllow, tokenizer.SpecialOrdinary} {
					whole, errWhole := enc.Encode(text, mode)
					var got []int
					var errChunks error
					for _, chunk := range chunks {
						ids, err := enc.Encode(chunk, mode)
						if err != nil {
							errChunks = err
							break
						}
						got = append(got, ids...)
					}
					if (errWhole == nil) != (errChunks == nil) || errWhole == nil && !slices.Equal(got, whole) {
						t.Fatalf("%s, %s, size %d, %v: in chunks %d IDs (%v), whole %d (%v); first difference at %d", name, what, size, mode, len(got), errChunks, len(whole), errWhole, firstDiff(got, whole))
					}
				}
			}
		}
	}
}

// succeeded is mustSucceed for output that is Go source, which is full of
// what looks like a stack trace in a message (".go:12", "runtime."): only
// standard error is checked for a crash.
func succeeded(t *testing.T, r result) {
	t.Helper()
	if r.code != 0 || crashSigns.MatchString(r.stderr) {
		t.Fatalf("want exit 0 and no crash:\n%s", r)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
