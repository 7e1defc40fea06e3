package main

// End-to-end tests of the tick command as a user meets it: TestMain builds
// the binary once, and each case runs it as a separate process and reads
// only what a user would see (exit status, standard output and error, the
// files it writes). Expected values come from independent references:
// tiktoken-go for token IDs, a tiktoken-go encoder built from the rank file
// tick wrote for trained vocabularies, a plain forward pass of the saved
// model for generation, and arithmetic identities (perplexity = exp(loss))
// for evaluation.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tiktoken "github.com/pkoukk/tiktoken-go"
	"github.com/rivo/uniseg"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/internal/filetree"
	"github.com/tick-llm/tick/internal/pngfile"
	"github.com/tick-llm/tick/internal/tiktokenref"
	"github.com/tick-llm/tick/transformer/gemm"
)

var (
	tickBin string // the binary under test
	workDir string // shared fixtures (the tiny training run)
	goRoot  string // for Newton's Opticks
)

// TestMain builds tick once (pure Go, no build tags) for every test below.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tick-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "cli_test:", err)
		os.Exit(1)
	}
	workDir = dir
	tickBin = filepath.Join(dir, "tick")
	goTool := "go"
	if p, err := exec.LookPath("go"); err == nil {
		goTool = p
	}
	if out, err := exec.Command(goTool, "build", "-o", tickBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cli_test: go build failed: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	out, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cli_test: go env GOROOT:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	goRoot = strings.TrimSpace(string(out))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of tick showed the user.
type result struct {
	args           []string
	stdout, stderr string
	code           int // exit status; -1 if it did not exit by itself
	err            error
}

func (r result) String() string {
	return fmt.Sprintf("tick %s\nexit %d (%v)\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.err, clip(r.stdout), clip(r.stderr))
}

// clip keeps failure messages readable.
func clip(s string) string {
	if len(s) > 3000 {
		return s[:1500] + "\n[...]\n" + s[len(s)-1500:]
	}
	return s
}

// cmdTimeout bounds every run of tick; the largest here takes about a second.
const cmdTimeout = 60 * time.Second

// tick runs the binary in dir with stdin as its standard input.
func tick(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tickBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String(), err: err}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.code = -1
		r.err = fmt.Errorf("timed out after %v", cmdTimeout)
	case err == nil:
		r.code = 0
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatalf("cannot run tick: %v", err)
	}
	return r
}

// mustSucceed fails the test unless tick exited 0.
func mustSucceed(t *testing.T, r result) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("want exit 0:\n%s", r)
	}
	checkNoPanic(t, r)
}

var crashSigns = regexp.MustCompile(`panic|goroutine \d|\.go:\d+|runtime\.|\[signal `)

func checkNoPanic(t *testing.T, r result) {
	t.Helper()
	if crashSigns.MatchString(r.stderr) || crashSigns.MatchString(r.stdout) {
		t.Errorf("output shows a crash or a stack trace:\n%s", r)
	}
}

// advice matches a message that tells the user what to do, or what a value
// must be. It is checked on the message after the "tick COMMAND: " prefix,
// so a command name does not count as advice.
var advice = regexp.MustCompile(`(?i)\b(must|should|needs?|use|give|check|pass|drop|create|choose|pick|try|write|remove|delete|start|restore|set|add|point|lower|shorten|train|rename|run ['"]?tick|run tick)\b`)

var errPrefix = regexp.MustCompile(`^tick( [a-z]+)?: `)

// checkBadInput asserts what every mistake must give: a non-zero exit, no
// crash, and exactly one line on standard error that names the problem
// (each of names) and says what to do.
func checkBadInput(t *testing.T, r result, names ...string) {
	t.Helper()
	if r.code == 0 || r.code == -1 {
		t.Errorf("want a non-zero exit status:\n%s", r)
	}
	checkNoPanic(t, r)
	msg := r.stderr
	if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") || strings.Contains(msg, "\r") {
		t.Errorf("want exactly one line on stderr, got %d:\n%s", strings.Count(msg, "\n")+strings.Count(msg, "\r"), r)
		return
	}
	for _, n := range names {
		if !strings.Contains(msg, n) {
			t.Errorf("the message does not name %q:\n%s", n, msg)
		}
	}
	if body := errPrefix.ReplaceAllString(msg, ""); !advice.MatchString(body) {
		t.Errorf("the message does not say what to do:\n%s", msg)
	}
}

// ---------------------------------------------------------------------------
// Fixtures

// opticks returns the first n bytes of Newton's Opticks (cut at a line end)
// written to a file in dir.
func opticks(t *testing.T, dir, name string, n int) (path, text string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goRoot, "src", "testdata", "Isaac.Newton-Opticks.txt"))
	if err != nil {
		t.Fatalf("Newton's Opticks from GOROOT: %v", err)
	}
	if n < len(data) {
		data = data[:n]
		data = data[:bytes.LastIndexByte(data, '\n')+1]
	}
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, string(data)
}

// tinyArgs makes training runs take well under a second.
var tinyArgs = []string{"--layers", "1", "--heads", "1", "--dim", "16", "--context", "8", "--batch", "2", "--steps", "3", "--seed", "1"}

var (
	fixtureOnce sync.Once
	fixture     struct {
		run, data, text string
		r               result
	}
)

// tinyTrained trains one tiny char-level model, once for all tests, and
// returns its run folder, its data file and text, and the run's output.
func tinyTrained(t *testing.T) (run, data, text string, r result) {
	t.Helper()
	fixtureOnce.Do(func() {
		fixture.r = result{code: -1, err: errors.New("fixture setup failed")}
		dir := filepath.Join(workDir, "fixture")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		fixture.data, fixture.text = opticks(t, dir, "opticks-20k.txt", 20000)
		fixture.run = filepath.Join(dir, "run")
		args := append([]string{"train", "--data", fixture.data, "--out", fixture.run}, tinyArgs...)
		fixture.r = tick(t, dir, "", args...)
	})
	if fixture.r.code != 0 {
		t.Fatalf("the tiny training run every train/eval/generate test needs failed:\n%s", fixture.r)
	}
	return fixture.run, fixture.data, fixture.text, fixture.r
}

var (
	refMu  sync.Mutex
	refEnc = map[string]*tiktoken.Tiktoken{}
)

// reference returns tiktoken-go's encoding, loaded from the offline rank
// files embedded in tiktoken-go-loader, once per test binary (building
// o200k_base takes a quarter of a second).
func reference(t *testing.T, name string) *tiktoken.Tiktoken {
	t.Helper()
	refMu.Lock()
	defer refMu.Unlock()
	if e, ok := refEnc[name]; ok {
		return e
	}
	e, err := tiktokenref.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	refEnc[name] = e
	return e
}

// builtins are the encodings issue 2 names, in its order.
var builtins = []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"}

// tricky is one argument full of what tokenizers get wrong.
const tricky = "Hello, world! DON'T we'LL  go\n\n\tto 1234567 caf\u00e9 nai\u0308ve \u65e5\u672c\u8a9e \U0001F916\U0001F468\u200d\U0001F469\u200d\U0001F467 \u0645\u0631\u062d\u0628\u0627 \r\n  x\u0085y\ufeff  trailing   "

func parseIDs(t *testing.T, r result) []int {
	t.Helper()
	var ids []int
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if line == "" && r.stdout == "" {
			break
		}
		id, err := strconv.Atoi(line)
		if err != nil {
			t.Fatalf("--format ids printed %q, not a token ID:\n%s", line, r)
		}
		ids = append(ids, id)
	}
	return ids
}

// idLines is what --format ids must print for ids, exactly.
func idLines(ids []int) string {
	var sb strings.Builder
	for _, id := range ids {
		fmt.Fprintln(&sb, id)
	}
	return sb.String()
}

// ---------------------------------------------------------------------------
// Bad input

// TestBadInput runs every mistake the issues list (and a few more a user
// makes) and checks each gives one line that names it and says what to do.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Rank files: one with a broken line and a sidecar, one without a
	// sidecar loaded with --pattern, one whose base64 is broken.
	malformed := write("bad/ranks.tiktoken", "IQ== 0\nIg== 1\nnot-a-rank-line\n")
	write("bad/ranks.json", `{"pattern":"cl100k","special_tokens":{}}`)
	noSidecar := write("bad2/ranks.tiktoken", "IQ== 0\nIg== 1\nthis is not base64 7\n")
	badB64 := write("bad3/ranks.tiktoken", "!!!! 0\n")
	write("bad3/ranks.json", `{"pattern":"gpt2","special_tokens":{}}`)
	badSidecar := write("bad4/ranks.tiktoken", "IQ== 0\n")
	write("bad4/ranks.json", `{"pattern": cl100k`)
	missingRanks := filepath.Join(dir, "nowhere", "ranks.tiktoken")

	corpus, _ := opticks(t, dir, "corpus.txt", 4000)
	empty := write("empty.txt", "")
	short := write("short.txt", "Of light.\n") // 10 characters: less than context 8 + 1 in both splits
	missing := filepath.Join(dir, "missing.txt")
	// tick runs as root here, where permissions do not stop writes; a path
	// under a regular file cannot be written by anyone.
	aFile := write("a-file", "x")
	unwritable := filepath.Join(aFile, "sub")

	run, data, text, _ := tinyTrained(t)
	// Corrupt copies of the run: the model truncated / the state garbled.
	corruptModel := filepath.Join(dir, "corrupt-model")
	corruptState := filepath.Join(dir, "corrupt-state")
	for _, c := range []struct{ dir, file string }{{corruptModel, "model.safetensors"}, {corruptState, "state.json"}} {
		if err := os.CopyFS(c.dir, os.DirFS(run)); err != nil {
			t.Fatal(err)
		}
		// Both checkpoints: with only last/ damaged, a resume goes on from
		// best/ (tested in checkpoint).
		for _, ck := range []string{"last", "best"} {
			p := filepath.Join(c.dir, ck, c.file)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("the run folder has no %s/%s: %v", ck, c.file, err)
			}
			if err := os.WriteFile(p, b[:len(b)/2], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A prompt for the char-level model with characters its training text
	// never had.
	for _, r := range "\u2603\u2211" {
		if strings.ContainsRune(text, r) {
			t.Fatalf("the training text contains %q; pick another", r)
		}
	}
	tiny := func(args ...string) []string { return append(args, tinyArgs...) }

	cases := []struct {
		name  string
		args  []string
		names []string // what the message must mention
	}{
		{"unknown command", []string{"frobnicate"}, []string{"frobnicate"}},
		{"unknown encoding", []string{"tokenize", "--encoding", "gpt5_base", "hi"}, []string{"unknown encoding", "gpt5_base"}},
		{"missing rank file", []string{"tokenize", "--encoding", missingRanks, "hi"}, []string{missingRanks, "does not exist"}},
		{"malformed rank file", []string{"tokenize", "--encoding", malformed, "hi"}, []string{malformed, "not a usable tiktoken rank file", "line 3", "tick bpe train"}},
		{"malformed rank file, no sidecar, --pattern", []string{"tokenize", "--encoding", noSidecar, "--pattern", "cl100k", "hi"}, []string{noSidecar, "not a usable tiktoken rank file", "line 3"}},
		{"rank file with bad base64", []string{"tokenize", "--encoding", badB64, "hi"}, []string{badB64, "not valid base64"}},
		{"malformed sidecar", []string{"tokenize", "--encoding", badSidecar, "hi"}, []string{"ranks.json", "not valid JSON", "--pattern"}},
		{"special token under --special raise", []string{"tokenize", "a <|endoftext|> b"}, []string{"special token <|endoftext|>", "--special allow", "--special ordinary"}},
		{"unknown --format", []string{"tokenize", "--format", "yaml", "hi"}, []string{"--format", "yaml"}},
		{"tokenize missing --file", []string{"tokenize", "--file", missing}, []string{missing, "does not exist"}},
		{"unknown flag", []string{"tokenize", "--encodng", "cl100k_base", "hi"}, []string{"encodng"}},

		{"bpe train vocab below 256", []string{"bpe", "train", "--file", corpus, "--vocab", "200", "--out", filepath.Join(dir, "v.tiktoken")}, []string{"vocab size 200 is too small", "256"}},
		{"bpe train empty corpus", []string{"bpe", "train", "--file", empty, "--vocab", "300", "--out", filepath.Join(dir, "v.tiktoken")}, []string{empty, "is empty"}},
		{"bpe train missing file", []string{"bpe", "train", "--file", missing, "--vocab", "300", "--out", filepath.Join(dir, "v.tiktoken")}, []string{missing, "does not exist"}},
		{"bpe train unwritable --out", []string{"bpe", "train", "--file", corpus, "--vocab", "300", "--out", filepath.Join(unwritable, "v.tiktoken")}, []string{unwritable}},

		{"train missing data file", tiny("train", "--data", missing, "--out", filepath.Join(dir, "r1")), []string{missing, "does not exist"}},
		{"train empty data file", tiny("train", "--data", empty, "--out", filepath.Join(dir, "r2")), []string{empty, "is empty"}},
		{"train file shorter than a context window", tiny("train", "--data", short, "--out", filepath.Join(dir, "r3")), []string{short, "too short", "--context"}},
		{"train unwritable --out", tiny("train", "--data", corpus, "--out", unwritable), []string{aFile, "cannot be created", "choose another --out"}},
		{"train --resume corrupt model", tiny("train", "--data", data, "--out", corruptModel, "--resume"), []string{corruptModel, "damaged", "model.safetensors"}},
		{"train --resume corrupt state", tiny("train", "--data", data, "--out", corruptState, "--resume"), []string{corruptState, "damaged", "state.json"}},
		{"train --resume with another config", append(tiny("train", "--data", data, "--out", run, "--resume"), "--dim", "32"), []string{"cannot resume", "other settings", "--dim 32 (run has 16)"}},
		{"train --resume with other data", tiny("train", "--data", corpus, "--out", run, "--resume"), []string{corpus, "not the text the run trained on"}},
		{"train into a run folder without --resume", tiny("train", "--data", data, "--out", run), []string{run, "already holds a run", "--resume"}},
		{"train rank file without sidecar", tiny("train", "--data", data, "--tokenizer", noSidecar, "--out", filepath.Join(dir, "r4")), []string{noSidecar, "sidecar", "is missing", "split pattern"}},
		{"train --resume with nothing to resume", tiny("train", "--data", data, "--out", filepath.Join(dir, "never-ran"), "--resume"), []string{"nothing to resume", "never-ran"}},

		{"generate --top-p 0", []string{"generate", "--model", run, "--prompt", "The", "--top-p", "0"}, []string{"--top-p", "0"}},
		{"generate negative --temperature", []string{"generate", "--model", run, "--prompt", "The", "--temperature", "-0.5"}, []string{"--temperature", "-0.5"}},
		{"generate infinite --temperature", []string{"generate", "--model", run, "--prompt", "The", "--temperature", "+Inf"}, []string{"--temperature", "+Inf"}},
		{"generate negative --top-k", []string{"generate", "--model", run, "--prompt", "The", "--top-k", "-2"}, []string{"--top-k", "-2"}},
		{"generate --top-p above 1", []string{"generate", "--model", run, "--prompt", "The", "--top-p", "1.5"}, []string{"--top-p", "1.5"}},
		{"generate prompt outside char vocabulary", []string{"generate", "--model", run, "--prompt", "The \u2603 of \u2211"}, []string{"outside the char vocabulary", "\u2603", "\u2211"}},
		{"generate missing model dir", []string{"generate", "--model", filepath.Join(dir, "no-model"), "--prompt", "The"}, []string{"no-model", "train one"}},
		{"generate corrupt model", []string{"generate", "--model", filepath.Join(corruptModel, "last"), "--prompt", "The"}, []string{"damaged", "model.safetensors"}},
		{"generate empty prompt, char model", []string{"generate", "--model", run, "--prompt", ""}, []string{"--prompt is empty", "char tokenizer has no beginning-of-text token"}},
		{"generate no prompt, char model", []string{"generate", "--model", run, "--step"}, []string{"--prompt is empty", "char tokenizer has no beginning-of-text token"}},

		{"eval missing data file", []string{"eval", "--model", run, "--data", missing}, []string{missing, "does not exist"}},
		{"eval missing model dir", []string{"eval", "--model", filepath.Join(dir, "no-model"), "--data", data}, []string{"no-model", "does not exist"}},

		{"bench missing --file", []string{"bench", "tokenizer", "--encoding", "cl100k_base", "--file", missing}, []string{missing, "does not exist"}},
	}
	before := filetree.Snapshot(t, run)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tick(t, dir, "", c.args...)
			checkBadInput(t, r, c.names...)
		})
	}
	// Nothing lost: the failed --resume attempts left the run as it was.
	if after := filetree.Snapshot(t, run); !maps.Equal(before, after) {
		t.Errorf("a failed command changed the run folder %s:\nbefore %v\nafter  %v", run, before, after)
	}
	for _, p := range []string{filepath.Join(dir, "v.tiktoken"), filepath.Join(dir, "v.json")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a failed bpe train left %s behind", p)
		}
	}
}

// ---------------------------------------------------------------------------
// tick tokenize

// TestTokenizeIDs checks --format ids against tiktoken-go for all four
// encodings: the same IDs, one per line, nothing else.
func TestTokenizeIDs(t *testing.T) {
	dir := t.TempDir()
	for _, enc := range builtins {
		t.Run(enc, func(t *testing.T) {
			want := reference(t, enc).EncodeOrdinary(tricky)
			r := tick(t, dir, "", "tokenize", "--format", "ids", "--encoding", enc, tricky)
			mustSucceed(t, r)
			if r.stdout != idLines(want) {
				t.Errorf("IDs differ from tiktoken-go's %v:\n%s", want, r)
			}
			if r.stderr != "" {
				t.Errorf("stderr should be empty:\n%s", r)
			}
		})
	}
}

// TestTokenizeInputs checks that standard input and --file give the same IDs
// as tiktoken-go on real prose, and --format count their number.
func TestTokenizeInputs(t *testing.T) {
	dir := t.TempDir()
	file, text := opticks(t, dir, "opticks.txt", 30000)
	for _, enc := range []string{"cl100k_base", "o200k_base"} {
		want := reference(t, enc).EncodeOrdinary(text)
		t.Run(enc+"/stdin", func(t *testing.T) {
			r := tick(t, dir, text, "tokenize", "--format", "ids", "--encoding", enc)
			mustSucceed(t, r)
			if got := parseIDs(t, r); !slices.Equal(got, want) {
				t.Errorf("stdin: %d IDs, tiktoken-go %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
		t.Run(enc+"/file", func(t *testing.T) {
			r := tick(t, dir, "", "tokenize", "--format", "ids", "--encoding", enc, "--file", file)
			mustSucceed(t, r)
			if got := parseIDs(t, r); !slices.Equal(got, want) {
				t.Errorf("--file: %d IDs, tiktoken-go %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
		t.Run(enc+"/count", func(t *testing.T) {
			r := tick(t, dir, "", "tokenize", "--format", "count", "--encoding", enc, "--file", file)
			mustSucceed(t, r)
			if r.stdout != fmt.Sprintln(len(want)) {
				t.Errorf("--format count: want %d (tiktoken-go), got:\n%s", len(want), r)
			}
		})
	}
}

func firstDiff(a, b []int) int {
	i := 0
	for i < min(len(a), len(b)) && a[i] == b[i] {
		i++
	}
	return i
}

// jsonDoc is the documented shape of --format json.
type jsonDoc struct {
	Encoding string `json:"encoding"`
	Count    int    `json:"count"`
	Tokens   []struct {
		ID      int    `json:"id"`
		Text    string `json:"text"`
		Bytes   []int  `json:"bytes"`
		Base64  string `json:"base64"`
		Start   int    `json:"start"`
		End     int    `json:"end"`
		Special bool   `json:"special"`
	} `json:"tokens"`
}

// checkJSONTokens parses --format json output and checks that its tokens
// cover text exactly: their bytes concatenate to it and each one's offsets
// point at its bytes. It returns the IDs.
func checkJSONTokens(t *testing.T, r result, text string) []int {
	t.Helper()
	var doc jsonDoc
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--format json does not parse: %v\n%s", err, r)
	}
	var all []byte
	var ids []int
	prevEnd := 0
	for i, tok := range doc.Tokens {
		b := make([]byte, len(tok.Bytes))
		for j, v := range tok.Bytes {
			if v < 0 || v > 255 {
				t.Fatalf("token %d: byte value %d", i, v)
			}
			b[j] = byte(v)
		}
		if b64, err := base64.StdEncoding.DecodeString(tok.Base64); err != nil || !bytes.Equal(b64, b) {
			t.Errorf("token %d: base64 %q does not decode to its bytes %v", i, tok.Base64, b)
		}
		if tok.Start != prevEnd || tok.End-tok.Start != len(b) || tok.End > len(text) {
			t.Errorf("token %d: offsets [%d,%d) after a token ending at %d, %d bytes", i, tok.Start, tok.End, prevEnd, len(b))
		} else if text[tok.Start:tok.End] != string(b) {
			t.Errorf("token %d: text[%d:%d] = %q, token bytes %q", i, tok.Start, tok.End, text[tok.Start:tok.End], b)
		}
		prevEnd = tok.End
		all = append(all, b...)
		ids = append(ids, tok.ID)
	}
	if string(all) != text {
		t.Errorf("the token bytes concatenate to %q, not the input %q", all, text)
	}
	if prevEnd != len(text) {
		t.Errorf("the last token ends at %d, the input has %d bytes", prevEnd, len(text))
	}
	if doc.Count != len(doc.Tokens) {
		t.Errorf("count %d, but %d tokens", doc.Count, len(doc.Tokens))
	}
	return ids
}

// TestTokenizeJSON checks --format json: it parses, its bytes give back the
// input, its offsets agree, and its IDs are tiktoken-go's.
func TestTokenizeJSON(t *testing.T) {
	dir := t.TempDir()
	for _, enc := range builtins {
		t.Run(enc, func(t *testing.T) {
			r := tick(t, dir, "", "tokenize", "--format", "json", "--encoding", enc, tricky)
			mustSucceed(t, r)
			ids := checkJSONTokens(t, r, tricky)
			if want := reference(t, enc).EncodeOrdinary(tricky); !slices.Equal(ids, want) {
				t.Errorf("json IDs %v, tiktoken-go %v", ids, want)
			}
		})
	}
}

// TestTokenizeSpecial checks --special allow and ordinary against
// tiktoken-go's allowed-special and ordinary encodings.
func TestTokenizeSpecial(t *testing.T) {
	dir := t.TempDir()
	text := "Hello<|endoftext|> world<|endoftext|>"
	for _, enc := range builtins {
		ref := reference(t, enc)
		for _, c := range []struct {
			mode string
			want []int
		}{
			{"allow", ref.Encode(text, []string{"all"}, nil)},
			{"ordinary", ref.EncodeOrdinary(text)},
		} {
			t.Run(enc+"/"+c.mode, func(t *testing.T) {
				r := tick(t, dir, "", "tokenize", "--format", "ids", "--encoding", enc, "--special", c.mode, text)
				mustSucceed(t, r)
				if r.stdout != idLines(c.want) {
					t.Errorf("want tiktoken-go's %v:\n%s", c.want, r)
				}
			})
		}
	}
}

// TestTokenizeCompare checks that --compare says tick and tiktoken-go agree,
// with tiktoken-go's count, and that it keeps --format ids clean.
func TestTokenizeCompare(t *testing.T) {
	dir := t.TempDir()
	for _, enc := range builtins {
		t.Run(enc, func(t *testing.T) {
			want := reference(t, enc).EncodeOrdinary(tricky)
			r := tick(t, dir, "", "tokenize", "--compare", "--encoding", enc, tricky)
			mustSucceed(t, r)
			verdict := regexp.MustCompile(`(?m)^` + enc + ` vs tiktoken-go: agree \((\d+) tokens\)$`)
			m := verdict.FindStringSubmatch(r.stdout)
			if m == nil {
				t.Fatalf("no line saying %s agrees with tiktoken-go:\n%s", enc, r)
			}
			if m[1] != strconv.Itoa(len(want)) {
				t.Errorf("agree with %s tokens; tiktoken-go has %d", m[1], len(want))
			}
			r = tick(t, dir, "", "tokenize", "--compare", "--format", "ids", "--encoding", enc, tricky)
			mustSucceed(t, r)
			if r.stdout != idLines(want) {
				t.Errorf("--compare --format ids: stdout is not only the IDs:\n%s", r)
			}
			if !strings.Contains(r.stderr, "agree") {
				t.Errorf("--compare --format ids: no verdict on stderr:\n%s", r)
			}
		})
	}
}

// TestTokenizeAllEncodings checks that --all-encodings names every built-in
// with tiktoken-go's count, in the pretty and the count formats.
func TestTokenizeAllEncodings(t *testing.T) {
	dir := t.TempDir()
	r := tick(t, dir, "", "tokenize", "--all-encodings", tricky)
	mustSucceed(t, r)
	rc := tick(t, dir, "", "tokenize", "--all-encodings", "--format", "count", tricky)
	mustSucceed(t, rc)
	for _, enc := range builtins {
		n := len(reference(t, enc).EncodeOrdinary(tricky))
		summary := regexp.MustCompile(`(?m)^` + enc + `\s+` + strconv.Itoa(n) + ` tokens$`)
		if !summary.MatchString(r.stdout) {
			t.Errorf("pretty: no summary line %q with tiktoken-go's count %d:\n%s", enc, n, r)
		}
		header := regexp.MustCompile(`(?m)^` + enc + `: ` + strconv.Itoa(n) + ` tokens, ` + strconv.Itoa(len(tricky)) + ` bytes`)
		if !header.MatchString(r.stdout) {
			t.Errorf("pretty: no header for %s with %d tokens and %d bytes:\n%s", enc, n, len(tricky), r)
		}
		count := regexp.MustCompile(`(?m)^` + enc + `\s+` + strconv.Itoa(n) + `$`)
		if !count.MatchString(rc.stdout) {
			t.Errorf("--format count: no line %q %d:\n%s", enc, n, rc)
		}
	}
}

// goIdentifiers are names from tick's Go API that must not reach a user of
// the command line, whose advice names flags instead.
var goIdentifiers = regexp.MustCompile(`\bSpecial(Allow|Ordinary|Raise)\b|\bLoad\b|Vocab\.Save|\bsplit\.[A-Z]|package bpe`)

// TestTokenizerErrorsNameFlags checks the errors that come from the
// tokenizer library, whose messages advise a Go caller: the command line
// must turn each into one line that names the problem and the flag or
// command that fixes it, with no Go identifiers.
func TestTokenizerErrorsNameFlags(t *testing.T) {
	dir := t.TempDir()
	// A usable rank file (the 256 bytes and "!!") with no sidecar.
	var ranks strings.Builder
	for i := range 256 {
		fmt.Fprintf(&ranks, "%s %d\n", base64.StdEncoding.EncodeToString([]byte{byte(i)}), i)
	}
	fmt.Fprintf(&ranks, "%s 256\n", base64.StdEncoding.EncodeToString([]byte("!!")))
	bare, badJSON := filepath.Join(dir, "bare.tiktoken"), filepath.Join(dir, "bad.tiktoken")
	malformed, missing := filepath.Join(dir, "malformed.tiktoken"), filepath.Join(dir, "missing.tiktoken")
	for path, content := range map[string]string{
		bare:                           ranks.String(),
		badJSON:                        "IQ== 0\n",
		filepath.Join(dir, "bad.json"): `{"pattern": cl100k`,
		malformed:                      "IQ== 0\nnot a rank line\n",
	} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		args  []string
		names []string // the problem, and the flag or command that fixes it
	}{
		{"special token", []string{"tokenize", "<|endoftext|> hello"}, []string{"special token <|endoftext|> at byte 0", "--special allow", "--special ordinary"}},
		{"special token, json", []string{"tokenize", "--format", "json", "--encoding", "o200k_base", "hi <|endofprompt|>"}, []string{"special token <|endofprompt|> at byte 3", "--special allow"}},
		{"no sidecar", []string{"tokenize", "--encoding", bare, "hi"}, []string{bare, "has no sidecar", "--pattern"}},
		{"no sidecar, bpe explain", []string{"bpe", "explain", "--encoding", bare, "hi"}, []string{bare, "has no sidecar", "--pattern"}},
		{"sidecar not JSON", []string{"tokenize", "--encoding", badJSON, "hi"}, []string{"bad.json", "not valid JSON", "--pattern"}},
		{"missing rank file, --pattern", []string{"tokenize", "--encoding", missing, "--pattern", "gpt2", "hi"}, []string{missing, "does not exist", "tick bpe train --out"}},
		{"malformed rank file, --pattern", []string{"tokenize", "--encoding", malformed, "--pattern", "gpt2", "hi"}, []string{malformed, "line 2", "tick bpe train"}},
		{"unknown --special", []string{"tokenize", "--special", "bogus", "hi"}, []string{"--special", "bogus", "raise, allow or ordinary"}},
		{"unknown --pattern", []string{"tokenize", "--encoding", bare, "--pattern", "gpt5", "hi"}, []string{"--pattern", "gpt5", "gpt2, cl100k, o200k or none"}},
		{"bench a rank file", []string{"bench", "tokenizer", "--encoding", bare}, []string{"--encoding", bare, "r50k_base"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := tick(t, dir, "", c.args...)
			checkBadInput(t, r, c.names...)
			if m := goIdentifiers.FindString(r.stderr); m != "" {
				t.Errorf("the message speaks Go (%q) to a user of the command line:\n%s", m, r)
			}
		})
	}
	// With the pattern the advice asks for, the file without a sidecar loads.
	for _, cmd := range [][]string{{"tokenize", "--format", "ids"}, {"bpe", "explain"}} {
		r := tick(t, dir, "", append(cmd, "--encoding", bare, "--pattern", "none", "!!")...)
		mustSucceed(t, r)
		if !strings.Contains(r.stdout, "256") {
			t.Errorf("\"!!\" is token 256 of %s:\n%s", bare, r)
		}
	}
}

// ---------------------------------------------------------------------------
// tick bpe train

// gpt2Pattern is the official GPT-2 (r50k_base) split pattern, in the form
// tiktoken-go runs with regexp2.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

// TestBPETrainRoundTrip trains a vocabulary from the command line, reads the
// rank file it wrote with its own parser, builds a tiktoken-go encoder from
// those ranks, and checks that tick tokenize --encoding PATH gives the same
// IDs and gives back the text.
func TestBPETrainRoundTrip(t *testing.T) {
	dir := t.TempDir()
	corpus, text := opticks(t, dir, "opticks.txt", 30000)
	out := filepath.Join(dir, "opticks.tiktoken")
	const vocab = 400
	r := tick(t, dir, "", "bpe", "train", "--file", corpus, "--vocab", strconv.Itoa(vocab), "--pattern", "gpt2", "--special", "<|endoftext|>", "--out", out)
	mustSucceed(t, r)

	ranks := readRankFile(t, out)
	if len(ranks) != vocab {
		t.Errorf("the rank file has %d tokens, want --vocab %d", len(ranks), vocab)
	}
	for b := 0; b < 256; b++ {
		if _, ok := ranks[string([]byte{byte(b)})]; !ok {
			t.Errorf("the rank file lacks the single byte %#x", b)
		}
	}
	side, err := os.ReadFile(filepath.Join(dir, "opticks.json"))
	if err != nil {
		t.Fatalf("no sidecar next to the rank file: %v", err)
	}
	var sidecar struct {
		Pattern string         `json:"pattern"`
		Special map[string]int `json:"special_tokens"`
	}
	if err := json.Unmarshal(side, &sidecar); err != nil {
		t.Fatalf("sidecar %s: %v", side, err)
	}
	eot, ok := sidecar.Special["<|endoftext|>"]
	if !ok || eot < len(ranks) {
		t.Errorf("sidecar special tokens %v: want <|endoftext|> with an ID after the %d ranks", sidecar.Special, len(ranks))
	}
	core, err := tiktoken.NewCoreBPE(ranks, sidecar.Special, gpt2Pattern)
	if err != nil {
		t.Fatal(err)
	}
	specialSet := map[string]any{}
	for s := range sidecar.Special {
		specialSet[s] = nil
	}
	ref := tiktoken.NewTiktoken(core, &tiktoken.Encoding{Name: "opticks", PatStr: gpt2Pattern, MergeableRanks: ranks, SpecialTokens: sidecar.Special}, specialSet)

	sample := text[len(text)-2000:] + "\nUnseen: naïve 日本語 🤖, DON'T!\n"
	t.Run("ids", func(t *testing.T) {
		want := ref.EncodeOrdinary(sample)
		r := tick(t, dir, "", "tokenize", "--format", "ids", "--encoding", out, sample)
		mustSucceed(t, r)
		if got := parseIDs(t, r); !slices.Equal(got, want) {
			t.Errorf("%d IDs, tiktoken-go on the same ranks %d; first difference at %d", len(got), len(want), firstDiff(got, want))
		}
		if len(want) >= len(sample)*3/4 {
			t.Errorf("%d tokens for %d bytes: the merges barely compress the training text", len(want), len(sample))
		}
	})
	t.Run("json round trip", func(t *testing.T) {
		r := tick(t, dir, "", "tokenize", "--format", "json", "--encoding", out, sample)
		mustSucceed(t, r)
		ids := checkJSONTokens(t, r, sample)
		if want := ref.EncodeOrdinary(sample); !slices.Equal(ids, want) {
			t.Errorf("json IDs differ from tiktoken-go on the same ranks at %d", firstDiff(ids, want))
		}
	})
	t.Run("special", func(t *testing.T) {
		s := "light<|endoftext|>colours"
		want := ref.Encode(s, []string{"all"}, nil)
		r := tick(t, dir, "", "tokenize", "--format", "ids", "--special", "allow", "--encoding", out, s)
		mustSucceed(t, r)
		if r.stdout != idLines(want) {
			t.Errorf("want %v:\n%s", want, r)
		}
	})
}

// readRankFile parses a tiktoken rank file ("base64(token) rank" per line)
// without tick's code.
func readRankFile(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("bpe train did not write %s: %v", path, err)
	}
	defer f.Close()
	ranks := map[string]int{}
	seen := map[int]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			t.Fatalf("%s:%d: %q is not 'base64 rank'", path, n, sc.Text())
		}
		tok, err1 := base64.StdEncoding.DecodeString(fields[0])
		rank, err2 := strconv.Atoi(fields[1])
		if err1 != nil || err2 != nil || seen[rank] {
			t.Fatalf("%s:%d: bad line %q (%v, %v, duplicate rank %v)", path, n, sc.Text(), err1, err2, seen[rank])
		}
		seen[rank] = true
		ranks[string(tok)] = rank
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for i := range len(ranks) {
		if !seen[i] {
			t.Fatalf("%s: ranks are not 0..%d: %d is missing", path, len(ranks)-1, i)
		}
	}
	return ranks
}

// ---------------------------------------------------------------------------
// tick train, eval, generate

var finalLine = regexp.MustCompile(`^final: step=(\d+) train_loss=(\S+) val_loss=(\S+) tokens_per_s=(\S+) elapsed=(\S+)s$`)

// TestTrain checks a tiny run: its last line, and the metrics and plot it
// leaves in the run folder. A fresh model knows nothing, so after 3 warmup
// steps its loss must be near ln(vocabulary size), the vocabulary being the
// distinct characters of the text.
func TestTrain(t *testing.T) {
	run, _, text, r := tinyTrained(t)
	checkNoPanic(t, r)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	last := lines[len(lines)-1]
	m := finalLine.FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line %q does not match %s:\n%s", last, finalLine, r)
	}
	if m[1] != "3" {
		t.Errorf("step=%s, want --steps 3", m[1])
	}
	vals := map[string]float64{}
	for i, name := range []string{"train_loss", "val_loss", "tokens_per_s", "elapsed"} {
		v, err := strconv.ParseFloat(m[i+2], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			t.Errorf("%s=%s is not a finite positive number", name, m[i+2])
		}
		vals[name] = v
	}
	chars := map[rune]bool{}
	for _, c := range text {
		chars[c] = true
	}
	lnV := math.Log(float64(len(chars)))
	for _, name := range []string{"train_loss", "val_loss"} {
		if math.Abs(vals[name]-lnV) > 0.5 {
			t.Errorf("%s=%v after 3 warmup steps; a fresh model should be near ln(%d) = %.3f", name, vals[name], len(chars), lnV)
		}
	}

	// metrics.jsonl: one JSON object per line, the last step among them.
	data, err := os.ReadFile(filepath.Join(run, "metrics.jsonl"))
	if err != nil {
		t.Fatalf("no metrics.jsonl in the run folder: %v", err)
	}
	sawStep := false
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Errorf("metrics.jsonl line %d is not a JSON object: %v: %q", i+1, err, line)
			continue
		}
		if s, ok := obj["step"].(float64); ok && s == 3 {
			sawStep = true
		}
	}
	if !sawStep {
		t.Errorf("metrics.jsonl has no record of step 3:\n%s", data)
	}

	// The loss plot decodes as a PNG.
	pngs, _ := filepath.Glob(filepath.Join(run, "*.png"))
	if len(pngs) == 0 {
		t.Fatalf("no PNG plot in the run folder %s", run)
	}
	for _, p := range pngs {
		img, err := pngfile.Read(p)
		if err != nil {
			t.Errorf("%s is not a PNG: %v", p, err)
		} else if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
			t.Errorf("%s is only %dx%d pixels", p, b.Dx(), b.Dy())
		}
	}
}

var (
	evalLoss       = regexp.MustCompile(`(?im)^loss:\s*(\S+)`)
	evalPerplexity = regexp.MustCompile(`(?im)^perplexity:\s*(\S+)`)
	evalBPB        = regexp.MustCompile(`(?im)^bits per byte:\s*(\S+)`)
	evalCounts     = regexp.MustCompile(`(\d+) tokens? scored, (\d+) bytes?`)
)

// parseEval reads loss, perplexity, bits per byte and the tokens and bytes
// scored from tick eval's output.
func parseEval(t *testing.T, r result) (loss, ppl, bpb float64, tokens, nbytes int) {
	t.Helper()
	num := func(re *regexp.Regexp, what string) float64 {
		m := re.FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("no %s in the output:\n%s", what, r)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s %q is not a finite number", what, m[1])
		}
		return v
	}
	loss, ppl, bpb = num(evalLoss, "loss"), num(evalPerplexity, "perplexity"), num(evalBPB, "bits per byte")
	m := evalCounts.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no 'N tokens scored, M bytes' in the output:\n%s", r)
	}
	tokens, _ = strconv.Atoi(m[1])
	nbytes, _ = strconv.Atoi(m[2])
	return
}

// TestEval checks tick eval's figures against each other and against the
// text: perplexity = exp(loss), bits per byte = loss * tokens / bytes / ln 2
// with bytes the UTF-8 size of the last tokens characters of the file (the
// validation split is the end of the text), and the loss of the last
// checkpoint equal to the val_loss of train's final line.
func TestEval(t *testing.T) {
	run, data, text, tr := tinyTrained(t)
	dir := t.TempDir()
	r := tick(t, dir, "", "eval", "--model", run, "--data", data)
	mustSucceed(t, r)
	// The binary is built without tags: transformer/gemm's kernel for this CPU.
	if !regexp.MustCompile(`(?m)^backend: ` + regexp.QuoteMeta(gemm.Name()) + `$`).MatchString(r.stdout) {
		t.Errorf("eval does not say which backend runs (want a line \"backend: %s\"):\n%s", gemm.Name(), r)
	}
	loss, ppl, bpb, tokens, nbytes := parseEval(t, r)
	if want := math.Exp(loss); math.Abs(ppl-want) > 1e-4*want+1e-3 {
		t.Errorf("perplexity %v, exp(loss %v) = %v", ppl, loss, want)
	}
	if tokens <= 0 || nbytes <= 0 {
		t.Fatalf("%d tokens, %d bytes scored", tokens, nbytes)
	}
	if want := loss * float64(tokens) / float64(nbytes) / math.Ln2; math.Abs(bpb-want) > 1e-4*want+1e-3 {
		t.Errorf("bits per byte %v, loss*tokens/bytes/ln2 = %v", bpb, want)
	}
	runes := []rune(text)
	if tokens > len(runes) {
		t.Fatalf("%d tokens scored, the text has %d characters", tokens, len(runes))
	}
	if want := len(string(runes[len(runes)-tokens:])); nbytes != want {
		t.Errorf("%d bytes scored; the last %d characters of the file are %d bytes", nbytes, tokens, want)
	}
	if frac := float64(tokens) / float64(len(runes)); math.Abs(frac-0.1) > 0.01 {
		t.Errorf("scored %d of %d characters (%.3f); the default validation split is the last 10%%", tokens, len(runes), frac)
	}

	// The last checkpoint on its own validation split is what train's final
	// line reported.
	r = tick(t, dir, "", "eval", "--model", filepath.Join(run, "last"))
	mustSucceed(t, r)
	lastLoss, _, _, _, _ := parseEval(t, r)
	lines := strings.Split(strings.TrimRight(tr.stdout, "\n"), "\n")
	if m := finalLine.FindStringSubmatch(lines[len(lines)-1]); m != nil {
		val, _ := strconv.ParseFloat(m[3], 64)
		if math.Abs(val-lastLoss) > 1.5e-4 {
			t.Errorf("tick eval --model RUN/last: loss %v; tick train's final val_loss %v", lastLoss, val)
		}
	}
}

// genStep is the documented JSON of one step of tick generate --step.
type genStep struct {
	Step       int   `json:"step"`
	ContextIDs []int `json:"context_ids"`
	Window     int   `json:"window"`
	Candidates []struct {
		ID        int     `json:"id"`
		Text      string  `json:"text"`
		Prob      float64 `json:"prob"`
		FinalProb float64 `json:"final_prob"`
		Kept      bool    `json:"kept"`
		Reason    string  `json:"reason"`
	} `json:"candidates"`
	EntropyBits float64 `json:"entropy_bits"`
	Chosen      struct {
		ID     int     `json:"id"`
		Text   string  `json:"text"`
		Reason string  `json:"reason"`
		Prob   float64 `json:"prob"`
	} `json:"chosen"`
}

// parseSteps reads one JSON object per line, rejecting objects missing a
// documented field.
func parseSteps(t *testing.T, r result) []genStep {
	t.Helper()
	var steps []genStep
	required := []string{"step", "context_ids", "window", "candidates", "entropy_bits", "chosen"}
	for i, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &raw); err != nil {
			t.Fatalf("line %d is not a JSON object: %v: %q", i+1, err, line)
		}
		for _, f := range required {
			if _, ok := raw[f]; !ok {
				t.Errorf("line %d has no %q field: %s", i+1, f, line)
			}
		}
		var s genStep
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		steps = append(steps, s)
	}
	return steps
}

// TestGenerate checks that generation is reproducible, that the --step JSON
// trace has the documented fields and tells the same story as the plain
// text, and that its probabilities are the softmax of a full forward pass of
// the saved model over the last context window of the prompt.
func TestGenerate(t *testing.T) {
	run, _, _, _ := tinyTrained(t)
	dir := t.TempDir()
	const prompt = "The light" // 9 characters: longer than the context of 8
	args := []string{"generate", "--model", run, "--prompt", prompt, "--max-tokens", "5", "--seed", "1"}
	a := tick(t, dir, "", args...)
	mustSucceed(t, a)
	b := tick(t, dir, "", args...)
	mustSucceed(t, b)
	if a.stdout != b.stdout {
		t.Errorf("the same seed gave different text:\n%q\n%q", a.stdout, b.stdout)
	}

	j := tick(t, dir, "", append(args, "--step", "--format", "json")...)
	mustSucceed(t, j)
	steps := parseSteps(t, j)
	if len(steps) != 5 {
		t.Fatalf("%d steps for --max-tokens 5:\n%s", len(steps), j)
	}
	var generated strings.Builder
	for i, s := range steps {
		if s.Step != i+1 {
			t.Errorf("step %d is numbered %d", i+1, s.Step)
		}
		if len(s.ContextIDs) != len(prompt)+i {
			t.Errorf("step %d: %d context IDs, want prompt %d + %d generated", s.Step, len(s.ContextIDs), len(prompt), i)
		}
		if i > 0 && (len(s.ContextIDs) == 0 || s.ContextIDs[len(s.ContextIDs)-1] != steps[i-1].Chosen.ID) {
			t.Errorf("step %d: context does not end with the token chosen at step %d", s.Step, i)
		}
		if s.Window < 1 || s.Window > 8 {
			t.Errorf("step %d: window %d, the model's context is 8", s.Step, s.Window)
		}
		for k, c := range s.Candidates {
			if c.Prob < 0 || c.Prob > 1 || (k > 0 && c.Prob > s.Candidates[k-1].Prob) {
				t.Errorf("step %d: candidate %d prob %v: want probabilities in [0,1], most probable first", s.Step, k, c.Prob)
			}
		}
		if s.Chosen.Reason != "sampled" {
			t.Errorf("step %d: chosen because %q; with temperature 0.8 it is sampled", s.Step, s.Chosen.Reason)
		}
		generated.WriteString(s.Chosen.Text)
	}
	if got, want := strings.TrimSuffix(a.stdout, "\n"), prompt+generated.String(); got != want {
		t.Errorf("plain output %q, but the --step trace with the same seed chose %q", got, want)
	}

	// Against a forward pass of the same model, through the train and
	// transformer packages (no KV cache, no sampler).
	m, tok, err := checkpoint.LoadModel(run)
	if err != nil {
		t.Fatalf("load the run: %v", err)
	}
	ids, err := tok.Encode(prompt)
	if err != nil {
		t.Fatal(err)
	}
	if T := m.Config.Context; len(ids) > T {
		ids = ids[len(ids)-T:]
	}
	if _, err := m.Forward(ids, nil, 1, len(ids)); err != nil {
		t.Fatal(err)
	}
	logits := m.Logits().RawRowView(len(ids) - 1)
	probs := softmax(logits)
	entropy := 0.0
	for _, p := range probs {
		if p > 0 {
			entropy -= p * math.Log2(p)
		}
	}
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })

	r := tick(t, dir, "", "generate", "--model", run, "--prompt", prompt, "--max-tokens", "1", "--temperature", "1", "--step", "--format", "json", "--candidates", "5")
	mustSucceed(t, r)
	s := parseSteps(t, r)[0]
	if len(s.Candidates) != 5 {
		t.Fatalf("%d candidates for --candidates 5", len(s.Candidates))
	}
	for k, c := range s.Candidates {
		if math.Abs(c.Prob-probs[c.ID]) > generate32Tol {
			t.Errorf("candidate %d (id %d): prob %v, softmax of a full forward pass %v", k, c.ID, c.Prob, probs[c.ID])
		}
		if math.Abs(probs[c.ID]-probs[order[k]]) > 1e-12 {
			t.Errorf("candidate %d is id %d (p=%v); the %d-th most probable is id %d (p=%v)", k, c.ID, probs[c.ID], k+1, order[k], probs[order[k]])
		}
		if want := string(tok.TokenBytes(c.ID)); c.Text != want {
			t.Errorf("candidate %d (id %d): text %q, the tokenizer spells it %q", k, c.ID, c.Text, want)
		}
	}
	if math.Abs(s.EntropyBits-entropy) > 10*generate32Tol {
		t.Errorf("entropy %v bits, of the forward pass's distribution %v", s.EntropyBits, entropy)
	}

	r = tick(t, dir, "", "generate", "--model", run, "--prompt", prompt, "--max-tokens", "1", "--temperature", "0", "--step", "--format", "json")
	mustSucceed(t, r)
	s = parseSteps(t, r)[0]
	if s.Chosen.ID != order[0] || s.Chosen.Reason != "greedy" {
		t.Errorf("temperature 0 chose id %d (%q); the forward pass's most probable is %d", s.Chosen.ID, s.Chosen.Reason, order[0])
	}
}

// TestGenerateFlagAdvice: the sampler's errors name its Go options
// (sample.Options.TopP); tick generate must name its own flags instead, in
// the words the issue asks for: "--top-p 0 is out of range: it must be in
// (0, 1]". The flags are checked before the model is read.
func TestGenerateFlagAdvice(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		flag, value, rule string
	}{
		{"--top-p", "0", "it must be in (0, 1]"},
		{"--top-p", "1.5", "it must be in (0, 1]"},
		{"--top-k", "-1", "it must be >= 0"},
		{"--temperature", "-0.5", "it must be >= 0"},
		{"--temperature", "NaN", "it must be >= 0"},
		{"--temperature", "+Inf", "it must be finite"},
	}
	for _, tt := range tests {
		r := tick(t, dir, "", "generate", "--model", filepath.Join(dir, "no-model"), "--prompt", "The", tt.flag, tt.value)
		checkBadInput(t, r, tt.flag+" "+tt.value+" is out of range: "+tt.rule)
		for _, goName := range []string{"sample:", "Temperature", "TopK", "TopP"} {
			if strings.Contains(r.stderr, goName) {
				t.Errorf("%s %s: the message names the Go option %q, not the flag:\n%s", tt.flag, tt.value, goName, r.stderr)
			}
		}
	}
}

// TestGenerateEmptyPrompt: without a prompt, a model whose tokenizer has
// <|endoftext|> starts from it, as GPT-2 does. The vocabulary is trained here
// with that special token; its id comes from the sidecar bpe train wrote,
// step 1's probabilities from a forward pass of the saved model over that
// one token, and the text from the rank file's bytes for the tokens the
// JSON trace chose. The token shows in the trace's context, not in the text.
func TestGenerateEmptyPrompt(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	vocab := filepath.Join(dir, "eot.tiktoken")
	mustSucceed(t, tick(t, dir, "", "bpe", "train", "--file", data, "--vocab", "300", "--special", "<|endoftext|>", "--out", vocab))
	var side struct {
		Special map[string]int `json:"special_tokens"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "eot.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &side); err != nil {
		t.Fatal(err)
	}
	eot, ok := side.Special["<|endoftext|>"]
	if !ok {
		t.Fatalf("the sidecar has no <|endoftext|>: %s", raw)
	}
	run := filepath.Join(dir, "run")
	mustSucceed(t, tick(t, dir, "", append([]string{"train", "--data", data, "--tokenizer", vocab, "--out", run}, tinyArgs...)...))

	args := []string{"generate", "--model", run, "--max-tokens", "6", "--seed", "2", "--temperature", "1"}
	j := tick(t, dir, "", append(args, "--step", "--format", "json")...)
	mustSucceed(t, j)
	steps := parseSteps(t, j)
	if !slices.Equal(steps[0].ContextIDs, []int{eot}) {
		t.Fatalf("step 1 read %v; with no prompt it must read <|endoftext|> alone (id %d)", steps[0].ContextIDs, eot)
	}
	m, _, err := checkpoint.LoadModel(run)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Forward([]int{eot}, nil, 1, 1); err != nil {
		t.Fatal(err)
	}
	probs := softmax(m.Logits().RawRowView(0))
	for _, c := range steps[0].Candidates {
		if math.Abs(c.Prob-probs[c.ID]) > generate32Tol {
			t.Errorf("candidate %d: prob %v; a forward pass over <|endoftext|> gives %v", c.ID, c.Prob, probs[c.ID])
		}
	}

	spelling := map[int]string{}
	for tok, id := range readRankFile(t, vocab) {
		spelling[id] = tok
	}
	var text strings.Builder
	for _, s := range steps {
		if s.Chosen.ID != eot { // the stop token ends the text unshown
			text.WriteString(spelling[s.Chosen.ID])
		}
	}
	trace := tick(t, dir, "", append(args, "--step")...)
	mustSucceed(t, trace)
	if !strings.Contains(trace.stdout, "context (1 token): <|endoftext|>\n") {
		t.Errorf("the trace does not show the start token in step 1's context:\n%s", trace)
	}
	if got, want := lastLine(trace.stdout), strings.ToValidUTF8(text.String(), "\uFFFD"); got != want {
		t.Errorf("the trace ends with the text %q; the chosen tokens spell %q", got, want)
	}
	plain := tick(t, dir, "", args...)
	mustSucceed(t, plain)
	if strings.Contains(plain.stdout, "<|endoftext|>") || plain.stdout == "\n" {
		t.Errorf("the text shows the start token, or nothing:\n%s", plain)
	}
}

// TestGenerateCandidatesOffTerminal: piped, --step shows every candidate
// asked for (no key picks them there), and says nothing about it.
func TestGenerateCandidatesOffTerminal(t *testing.T) {
	run, _, _, _ := tinyTrained(t)
	r := tick(t, t.TempDir(), "", "generate", "--model", run, "--prompt", "The", "--max-tokens", "2", "--step", "--candidates", "12")
	mustSucceed(t, r)
	tables := strings.Split(r.stdout, "── step ")[1:]
	if len(tables) != 2 {
		t.Fatalf("%d step tables for --max-tokens 2:\n%s", len(tables), r)
	}
	for i, table := range tables {
		if n := len(rowIDs(table)); n != 12 {
			t.Errorf("step %d shows %d candidates for --candidates 12:\n%s", i+1, n, table)
		}
	}
	if r.stderr != "" {
		t.Errorf("piped output needs no note:\n%s", r.stderr)
	}
}

// stepRow is a candidate row of a step table: its mark, index and id.
var stepRow = regexp.MustCompile(`(?m)^(?:▶ |  ) +(\d+) +(\d+)  `)

// rowIDs are the token ids of the candidate rows in a step's table.
func rowIDs(table string) []int {
	var ids []int
	for _, m := range stepRow.FindAllStringSubmatch(table, -1) {
		id, _ := strconv.Atoi(m[2])
		ids = append(ids, id)
	}
	return ids
}

// softmax of logits in float64, shifted by the maximum for stability.
func softmax(logits []float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, v)
	}
	p := make([]float64, len(logits))
	sum := 0.0
	for i, v := range logits {
		p[i] = math.Exp(v - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// ---------------------------------------------------------------------------
// tick bench

var speedupLine = regexp.MustCompile(`^speedup: \d+\.\d\dx$`)

// TestBenchTokenizer runs the benchmark command on a small file: it checks
// the IDs agree and ends with the speedup line. (The figure itself is not
// asserted: a test never asserts a time.)
func TestBenchTokenizer(t *testing.T) {
	dir := t.TempDir()
	file, _ := opticks(t, dir, "opticks.txt", 20000)
	r := tick(t, dir, "", "bench", "tokenizer", "--encoding", "cl100k_base", "--file", file, "--repeat", "1")
	mustSucceed(t, r)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if last := lines[len(lines)-1]; !speedupLine.MatchString(last) {
		t.Errorf("last line %q does not match %s:\n%s", last, speedupLine, r)
	}
	if !regexp.MustCompile(`(?m)agree.*yes`).MatchString(r.stdout) {
		t.Errorf("no line saying the IDs agree:\n%s", r)
	}
}

// lastLine is the last line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestTrainInterruptResume presses Ctrl-C in the middle of a run, resumes
// it, and checks it ends bit for bit where an uninterrupted run ends: the
// same final line and the same saved weights.
func TestTrainInterruptResume(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	args := func(out string) []string {
		return []string{"train", "--data", data, "--out", out, "--layers", "1", "--heads", "1", "--dim", "16",
			"--context", "8", "--batch", "2", "--steps", "600", "--seed", "7", "--eval-every", "200", "--sample-tokens", "20"}
	}
	whole := filepath.Join(dir, "whole")
	a := tick(t, dir, "", args(whole)...)
	mustSucceed(t, a)

	// Interrupt: SIGINT once metrics.jsonl shows a few steps.
	parted := filepath.Join(dir, "parted")
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tickBin, args(parted)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var waitErr error
	exited := false
poll:
	for {
		select {
		case waitErr = <-done:
			exited = true
			break poll
		case <-time.After(5 * time.Millisecond):
			if b, _ := os.ReadFile(filepath.Join(parted, "metrics.jsonl")); bytes.Count(b, []byte("\n")) >= 10 {
				break poll
			}
		}
	}
	if exited {
		t.Fatalf("the run ended before Ctrl-C could interrupt it (%v):\n%s\n%s", waitErr, stdout.String(), stderr.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waitErr = <-done
	interrupted := result{args: args(parted), stdout: stdout.String(), stderr: stderr.String(), err: waitErr}
	if ctx.Err() != nil {
		t.Fatalf("Ctrl-C did not stop the run within %v:\n%s", cmdTimeout, interrupted)
	}
	checkNoPanic(t, interrupted)
	t.Logf("after Ctrl-C: %s", lastLine(strings.ReplaceAll(interrupted.stderr, "\r", "\n")))
	if !strings.Contains(interrupted.stderr+interrupted.stdout, "--resume") {
		t.Errorf("after Ctrl-C the user is not told how to continue (--resume):\n%s", interrupted)
	}
	if strings.Contains(interrupted.stdout, "final: step=600 ") {
		t.Fatalf("the run reached step 600 despite Ctrl-C:\n%s", interrupted)
	}

	b := tick(t, dir, "", append(args(parted), "--resume")...)
	mustSucceed(t, b)
	la, lb := lastLine(a.stdout), lastLine(b.stdout)
	ma, mb := finalLine.FindStringSubmatch(la), finalLine.FindStringSubmatch(lb)
	if ma == nil || mb == nil {
		t.Fatalf("no final line:\n%s\n%s", a, b)
	}
	if ma[1] != mb[1] || ma[2] != mb[2] || ma[3] != mb[3] {
		t.Errorf("interrupted and resumed: %q\nuninterrupted:          %q", lb, la)
	}
	wa, errA := os.ReadFile(filepath.Join(whole, "last", "model.safetensors"))
	wb, errB := os.ReadFile(filepath.Join(parted, "last", "model.safetensors"))
	if errA != nil || errB != nil {
		t.Fatalf("last checkpoints: %v, %v", errA, errB)
	}
	if !bytes.Equal(wa, wb) {
		t.Errorf("the resumed run's weights differ from the uninterrupted run's")
	}
}

// TestTrainTimeLimit checks that --time-limit stops a run cleanly, early,
// with its final line.
func TestTrainTimeLimit(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	r := tick(t, dir, "", "train", "--data", data, "--out", filepath.Join(dir, "run"), "--layers", "1", "--heads", "1",
		"--dim", "16", "--context", "8", "--batch", "2", "--steps", "100000", "--time-limit", "200ms")
	mustSucceed(t, r)
	m := finalLine.FindStringSubmatch(lastLine(r.stdout))
	if m == nil {
		t.Fatalf("no final line:\n%s", r)
	}
	if m[1] == "100000" {
		t.Errorf("--time-limit 200ms did not stop 100000 steps early:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "run", "last", "model.safetensors")); err != nil {
		t.Errorf("no last checkpoint after a time limit: %v", err)
	}
}

// TestTrainLlamaAndDefaults trains the llama preset (RMSNorm, RoPE, SwiGLU,
// grouped-query attention) with no --data, which must use Newton's Opticks
// and say so, and evaluates it.
func TestTrainLlamaAndDefaults(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "llama")
	r := tick(t, dir, "", "train", "--preset", "llama", "--out", run, "--layers", "1", "--heads", "2", "--kv-heads", "1",
		"--dim", "16", "--context", "8", "--batch", "2", "--steps", "3", "--sample-tokens", "20")
	mustSucceed(t, r)
	if !strings.Contains(r.stdout, "Opticks") {
		t.Errorf("with no --data it should say it trains on Newton's Opticks:\n%s", r)
	}
	if m := finalLine.FindStringSubmatch(lastLine(r.stdout)); m == nil {
		t.Errorf("no final line:\n%s", r)
	}
	var cfg map[string]any
	b, err := os.ReadFile(filepath.Join(run, "last", "config.json"))
	if err != nil || json.Unmarshal(b, &cfg) != nil {
		t.Fatalf("last/config.json: %v %s", err, b)
	}
	if cfg["norm"] != "rmsnorm" || cfg["positions"] != "rope" || cfg["mlp"] != "swiglu" {
		t.Errorf("--preset llama saved config %s", b)
	}
	e := tick(t, dir, "", "eval", "--model", run)
	mustSucceed(t, e)
	loss, ppl, _, _, _ := parseEval(t, e)
	if want := math.Exp(loss); math.Abs(ppl-want) > 1e-4*want+1e-3 {
		t.Errorf("perplexity %v, exp(loss) %v", ppl, want)
	}
}

// TestTrainWithOwnVocabulary is the whole path of a learner: train a BPE
// vocabulary, train a model with it, delete the vocabulary file, and still
// evaluate and generate from the run folder, which must carry its tokenizer.
func TestTrainWithOwnVocabulary(t *testing.T) {
	dir := t.TempDir()
	data, text := opticks(t, dir, "opticks.txt", 30000)
	vocab := filepath.Join(dir, "mine.tiktoken")
	mustSucceed(t, tick(t, dir, "", "bpe", "train", "--file", data, "--vocab", "320", "--out", vocab))
	run := filepath.Join(dir, "run")
	r := tick(t, dir, "", append([]string{"train", "--data", data, "--tokenizer", vocab, "--out", run}, tinyArgs...)...)
	mustSucceed(t, r)
	if finalLine.FindStringSubmatch(lastLine(r.stdout)) == nil {
		t.Errorf("no final line:\n%s", r)
	}
	if err := os.Remove(vocab); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "mine.json"))

	e := tick(t, dir, "", "eval", "--model", run, "--data", data)
	mustSucceed(t, e)
	loss, _, bpb, tokens, nbytes := parseEval(t, e)
	if want := loss * float64(tokens) / float64(nbytes) / math.Ln2; math.Abs(bpb-want) > 1e-4*want+1e-3 {
		t.Errorf("bits per byte %v, loss*tokens/bytes/ln2 = %v", bpb, want)
	}
	if tokens >= nbytes {
		t.Errorf("%d tokens for %d bytes: the BPE vocabulary should compress", tokens, nbytes)
	}
	prompt := text[len(text)-40:]
	g := tick(t, dir, "", "generate", "--model", run, "--prompt", prompt, "--max-tokens", "5", "--seed", "3")
	mustSucceed(t, g)
	if !strings.HasPrefix(g.stdout, prompt) {
		t.Errorf("generated text does not start with the prompt %q:\n%s", prompt, g)
	}
}

var idsOnly = regexp.MustCompile(`^\d+( \d+)*$`)

// TestTokenizePretty checks the default format as piped output: a header
// with the count, the IDs (tiktoken-go's, wrapped), and no line wider than
// the 80 columns tick assumes when it is not on a terminal.
func TestTokenizePretty(t *testing.T) {
	dir := t.TempDir()
	for _, enc := range builtins {
		t.Run(enc, func(t *testing.T) {
			want := reference(t, enc).EncodeOrdinary(tricky)
			r := tick(t, dir, "", "tokenize", "--encoding", enc, tricky)
			mustSucceed(t, r)
			lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
			if !strings.HasPrefix(lines[0], fmt.Sprintf("%s: %d tokens, %d bytes", enc, len(want), len(tricky))) {
				t.Errorf("header %q: want %d tokens (tiktoken-go), %d bytes", lines[0], len(want), len(tricky))
			}
			var shown []string
			for _, l := range lines[1:] {
				if idsOnly.MatchString(l) {
					shown = append(shown, l)
				}
				if w := uniseg.StringWidth(l); w > 80 {
					t.Errorf("line %d columns wide: %q", w, l)
				}
			}
			if got := strings.Join(shown, " "); got != strings.Trim(fmt.Sprint(want), "[]") {
				t.Errorf("IDs shown %q, tiktoken-go %v", got, want)
			}
		})
	}
}

// TestHelpFitsTerminal checks every line of each subcommand's -h fits an
// 80-column terminal, with tabs expanded to 8 columns as a terminal does,
// and that a help saying "Flags:" goes on to list some.
func TestHelpFitsTerminal(t *testing.T) {
	for _, sub := range [][]string{{"tokenize"}, {"bench"}, {"bench", "tokenizer"}, {"bpe"}, {"bpe", "train"}, {"bpe", "explain"}, {"generate"}, {"attention"}, {"train"}, {"eval"},
		{"align"}, {"align", "sft"}, {"align", "pairs"}, {"align", "reward"}, {"align", "rlhf"}, {"align", "dpo"}, {"align", "eval"}, {"align", "all"}} {
		t.Run(strings.Join(sub, "_"), func(t *testing.T) {
			r := tick(t, t.TempDir(), "", append(sub, "-h")...)
			help := r.stdout + r.stderr
			if !strings.Contains(help, "Usage") {
				t.Fatalf("no usage text:\n%s", r)
			}
			if strings.HasSuffix(strings.TrimRight(help, "\n "), "Flags:") {
				t.Errorf("help ends with an empty \"Flags:\":\n%s", help)
			}
			for _, line := range strings.Split(help, "\n") {
				col := 0
				for _, c := range line {
					if c == '\t' {
						col += 8 - col%8
					} else {
						col++
					}
				}
				if col > 80 {
					t.Errorf("%d columns: %q", col, line)
				}
			}
		})
	}
}

// TestBPEExplainStdin checks bpe explain reads standard input when given no
// text, with the same result as passing the text as an argument.
func TestBPEExplainStdin(t *testing.T) {
	dir := t.TempDir()
	arg := tick(t, dir, "", "bpe", "explain", " tokenization")
	mustSucceed(t, arg)
	in := tick(t, dir, " tokenization", "bpe", "explain")
	mustSucceed(t, in)
	if in.stdout != arg.stdout {
		t.Errorf("stdin gave\n%s\nargument gave\n%s", in.stdout, arg.stdout)
	}
}

// TestTokenizeSplitCharacters checks the pretty output of characters whose
// UTF-8 bytes are split over several tokens (issue 14): the token line
// shows the character once, with the count of its tokens in superscript,
// and no <xNN> bytes; a list after the IDs gives each such character's
// tokens, their IDs and bytes equal to tiktoken-go's.
func TestTokenizeSplitCharacters(t *testing.T) {
	const family = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466" // seven code points, one character
	cases := []struct{ enc, text, char string }{
		{"cl100k_base", family + " family", family},
		{"r50k_base", family + " family", family},
		{"cl100k_base", "東京は日本の首都です。", "東"},
		{"r50k_base", "東京は日本の首都です。", "東"},
	}
	item := regexp.MustCompile(`(\d+) \[([^\]]*)\]`)
	superscripts := map[rune]rune{'⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9'}
	for _, c := range cases {
		t.Run(c.enc+"/"+c.char, func(t *testing.T) {
			ref := reference(t, c.enc)
			ids := ref.EncodeOrdinary(c.text)
			n := 0 // the tokens tiktoken-go spells the character with
			for k := 1; k <= len(ids) && n == 0; k++ {
				if ref.Decode(ids[:k]) == c.char {
					n = k
				}
			}
			if n < 2 {
				t.Fatalf("tiktoken-go does not split %q over tokens at its start (ids %v): pick another case", c.char, ids)
			}
			r := tick(t, t.TempDir(), "", "tokenize", "--encoding", c.enc, c.text)
			mustSucceed(t, r)
			lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
			for _, l := range lines {
				if w := uniseg.StringWidth(l); w > 80 {
					t.Errorf("line %d columns wide: %q", w, l)
				}
			}
			tokens := lines[1]
			if strings.Contains(tokens, "<x") {
				t.Errorf("token line shows bytes: %q", tokens)
			}
			rest, ok := strings.CutPrefix(tokens, "["+c.char+"]")
			var count []rune
			for _, s := range rest {
				if d, ok := superscripts[s]; ok {
					count = append(count, d)
					continue
				}
				break
			}
			if !ok || string(count) != strconv.Itoa(n) {
				t.Errorf("token line %q: want [%s] followed by %d in superscript (tiktoken-go's count)", tokens, c.char, n)
			}

			// The list entry "  CHAR = ID [bytes] + ...", continued on
			// lines that start with spaces and "+".
			var entry string
			for i, l := range lines {
				if strings.HasPrefix(l, "  "+c.char+" = ") {
					entry = l
					for _, more := range lines[i+1:] {
						if !strings.HasPrefix(strings.TrimLeft(more, " "), "+ ") {
							break
						}
						entry += " " + strings.TrimLeft(more, " ")
					}
				}
			}
			if entry == "" {
				t.Fatalf("no entry for %q in the list of split characters:\n%s", c.char, r)
			}
			items := item.FindAllStringSubmatch(entry, -1)
			if len(items) != n {
				t.Fatalf("entry %q lists %d tokens, tiktoken-go has %d", entry, len(items), n)
			}
			for i, m := range items {
				if m[1] != strconv.Itoa(ids[i]) {
					t.Errorf("entry %q: token %d is %s, tiktoken-go's %d", entry, i, m[1], ids[i])
				}
				b := ref.Decode(ids[i : i+1])
				var hex string
				for j := 0; j < len(b); j++ {
					hex += fmt.Sprintf("<x%02x>", b[j])
				}
				if !utf8.ValidString(b) && m[2] != hex {
					t.Errorf("entry %q: token %s shows as [%s], its bytes are %s", entry, m[1], m[2], hex)
				}
			}
		})
	}
}

// TestTokenizeOneToken: a count of one reads "1 token", not "1 tokens"
// (issue 14), in the header and in the --all-encodings summary.
func TestTokenizeOneToken(t *testing.T) {
	if n := len(reference(t, "cl100k_base").EncodeOrdinary("a")); n != 1 {
		t.Fatalf("tiktoken-go has %d tokens for \"a\"; the test needs a one-token text", n)
	}
	r := tick(t, t.TempDir(), "", "tokenize", "a")
	mustSucceed(t, r)
	if !strings.HasPrefix(r.stdout, "cl100k_base: 1 token, 1 byte (") {
		t.Errorf("header does not say \"1 token, 1 byte\":\n%s", r)
	}
	r = tick(t, t.TempDir(), "", "tokenize", "--all-encodings", "a")
	mustSucceed(t, r)
	if strings.Contains(r.stdout, "1 tokens") || !regexp.MustCompile(`(?m)^cl100k_base\s+1 token$`).MatchString(r.stdout) {
		t.Errorf("summary does not say \"1 token\":\n%s", r)
	}
}
