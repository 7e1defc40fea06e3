package tokenizer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	tiktoken "github.com/pkoukk/tiktoken-go"
	"github.com/pkoukk/tiktoken-go-loader/assets"

	"github.com/tick-llm/tick/tokenizer/samples"
	"github.com/tick-llm/tick/tokenizer/split"
)

// TestBuiltinFileHashes checks each embedded rank file against the
// expected_hash values in tiktoken_ext/openai_public.py of
// github.com/openai/tiktoken, so the built-ins are the official files.
func TestBuiltinFileHashes(t *testing.T) {
	official := map[string]string{
		"r50k_base":   "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
		"p50k_base":   "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
		"cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
		"o200k_base":  "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
	}
	for _, name := range Builtins() {
		data, err := assets.Assets.ReadFile(builtins[name].file)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != official[name] {
			t.Errorf("%s: sha256 %s, official %s", name, got, official[name])
		}
	}
}

// TestBuiltinShape checks sizes and IDs against tiktoken's published
// facts: explicit_n_vocab 50257 (r50k) and 50281 (p50k, whose 50257..50280
// are unused), cl100k's 100277 and o200k's 200019.
func TestBuiltinShape(t *testing.T) {
	tests := []struct {
		name      string
		vocabSize int
		pattern   split.Pattern
	}{
		{"r50k_base", 50257, split.GPT2},
		{"p50k_base", 50281, split.GPT2},
		{"cl100k_base", 100277, split.CL100K},
		{"o200k_base", 200019, split.O200K},
	}
	for _, tt := range tests {
		enc := mustGet(t, tt.name)
		if enc.VocabSize() != tt.vocabSize || enc.Pattern() != tt.pattern || enc.Name() != tt.name {
			t.Errorf("%s: VocabSize %d pattern %v name %s; want %d %v", tt.name, enc.VocabSize(), enc.Pattern(), enc.Name(), tt.vocabSize, tt.pattern)
		}
		if !enc.IsSpecial(enc.SpecialTokens()["<|endoftext|>"]) {
			t.Errorf("%s: <|endoftext|> is not special", tt.name)
		}
	}
	if _, err := Get("gpt5_base"); err == nil || !strings.Contains(err.Error(), "cl100k_base") {
		t.Errorf("unknown encoding error = %v, want it to list the built-ins", err)
	}
}

// TestGetConcurrent: many goroutines asking for the same encoding at once
// get the same shared instance (run with -race).
func TestGetConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	encs := make([]*Encoding, 16)
	for i := range encs {
		wg.Go(func() {
			enc, err := Get("p50k_base")
			if err != nil {
				t.Error(err)
				return
			}
			encs[i] = enc
			enc.EncodeOrdinary("hello from many goroutines")
		})
	}
	wg.Wait()
	for _, e := range encs {
		if e != encs[0] {
			t.Fatal("Get returned different instances of a built-in encoding")
		}
	}
}

// writeLlamaModel writes the first n ranks of a built-in encoding as a
// tokenizer.model-like rank file, as Meta ships Llama 3's.
func writeLlamaModel(t *testing.T, from string, n int) string {
	t.Helper()
	data, _ := assets.Assets.ReadFile(builtins[from].file)
	ranks, err := ParseRanks(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	maps.DeleteFunc(ranks, func(_ string, r int) bool { return r >= n })
	var buf bytes.Buffer
	if err := WriteRanks(&buf, ranks); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, "tokenizer.model", buf.Bytes())
}

// TestLlama3 loads a 128,000-rank file the way Llama 3's tokenizer.model is
// used and compares with tiktoken-go configured exactly as Meta's
// tokenizer.py configures tiktoken (cl100k's pattern, the 256 specials).
func TestLlama3(t *testing.T) {
	path := writeLlamaModel(t, "o200k_base", 128_000)
	enc, err := Get("llama3:" + path)
	if err != nil {
		t.Fatal(err)
	}
	sp := enc.SpecialTokens()
	wantIDs := map[string]int{
		"<|begin_of_text|>": 128000, "<|end_of_text|>": 128001, "<|reserved_special_token_0|>": 128002,
		"<|reserved_special_token_3|>": 128005, "<|start_header_id|>": 128006, "<|end_header_id|>": 128007,
		"<|reserved_special_token_4|>": 128008, "<|eot_id|>": 128009, "<|reserved_special_token_5|>": 128010,
		"<|reserved_special_token_250|>": 128255,
	}
	for tok, id := range wantIDs {
		if sp[tok] != id {
			t.Errorf("%s = %d, want %d", tok, sp[tok], id)
		}
	}
	if len(sp) != 256 || enc.VocabSize() != 128256 || enc.Pattern() != split.CL100K {
		t.Errorf("%d specials, VocabSize %d, pattern %v; want 256, 128256, cl100k", len(sp), enc.VocabSize(), enc.Pattern())
	}

	// The independent reference: tiktoken-go's core with the same parts.
	data, _ := os.ReadFile(path)
	ranks, _ := ParseRanks(bytes.NewReader(data))
	core, err := tiktoken.NewCoreBPE(ranks, sp, split.CL100K.Regexp())
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]any{}
	for s := range sp {
		set[s] = true
	}
	ref := tiktoken.NewTiktoken(core, nil, set)
	text := "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" + opticks(t, 30000) + "<|eot_id|>" + adversarial(10, 20000)
	for _, s := range samples.All() {
		text += s.Text
	}
	got, err := enc.Encode(text, SpecialAllow)
	if err != nil {
		t.Fatal(err)
	}
	diffIDs(t, enc, "llama3", got, ref.Encode(text, []string{"all"}, nil))
	if got[0] != 128000 || got[1] != 128006 {
		t.Errorf("chat header encodes as %v, want 128000 128006 ...", got[:3])
	}
}

// TestLlama3FromCL100K: with cl100k's own ranks, the llama3 preset encodes
// ordinary text exactly as cl100k_base (same ranks, same pattern), and its
// specials follow the ranks (numbered from the rank count).
func TestLlama3FromCL100K(t *testing.T) {
	path := writeLlamaModel(t, "cl100k_base", 1<<30)
	enc, err := LoadLlama3(path)
	if err != nil {
		t.Fatal(err)
	}
	cl := mustGet(t, "cl100k_base")
	text := goSources(t, 100_000) + adversarial(11, 10000)
	diffIDs(t, enc, "llama3 vs cl100k", enc.EncodeOrdinary(text), cl.EncodeOrdinary(text))
	if id := enc.SpecialTokens()["<|begin_of_text|>"]; id != 100256 {
		t.Errorf("<|begin_of_text|> = %d, want 100256 (the number of cl100k ranks)", id)
	}
}

// TestWholePieceLookup: a piece that is itself a token is one token even
// when no sequence of merges reaches it (the case Llama 3 needs).
func TestWholePieceLookup(t *testing.T) {
	ranks := byteRanks()
	ranks["abc"] = 256 // no "ab" or "bc": merging alone can never build it
	ranks["cd"] = 257
	enc, err := New("toy", ranks, split.None, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := enc.EncodeOrdinary("abc"); !slices.Equal(got, []int{256}) {
		t.Errorf("abc = %v, want [256]", got)
	}
	if got := enc.EncodeOrdinary("abcd"); !slices.Equal(got, []int{'a', 'b', 257}) {
		t.Errorf("abcd = %v, want [97 98 257]", got)
	}
}

// TestSidecar: a .tiktoken file with its JSON sidecar loads by path alone;
// a bad sidecar or a missing one says what to do.
func TestSidecar(t *testing.T) {
	data, _ := assets.Assets.ReadFile(builtins["r50k_base"].file)
	path := writeTemp(t, "mine.tiktoken", data)
	var se *SidecarError
	if _, err := Get(path); !errors.As(err, &se) || se.RankFile != path || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "Load") {
		t.Errorf("no sidecar: err = %v, want a SidecarError for %s (not exist) naming Load", err, path)
	}
	if err := os.WriteFile(SidecarPath(path), []byte(`{"pattern":"gpt2","special_tokens":{"<|endoftext|>":50256}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	enc, err := Get(path)
	if err != nil {
		t.Fatal(err)
	}
	r50k := mustGet(t, "r50k_base")
	text := "hello <|endoftext|> world " + adversarial(12, 5000)
	got, _ := enc.Encode(text, SpecialAllow)
	want, _ := r50k.Encode(text, SpecialAllow)
	diffIDs(t, enc, "sidecar", got, want)
	if enc.Name() != "mine" {
		t.Errorf("Name = %q, want mine", enc.Name())
	}
	for sidecar, wantErr := range map[string]string{
		`{"pattern":"gpt3"}`: "unknown split pattern",
		`{"pattern":`:        "not valid JSON",
		`{"pattern":"gpt2","special_tokens":{"<|x|>":5}}`: "already the rank",
	} {
		os.WriteFile(SidecarPath(path), []byte(sidecar), 0o644)
		if _, err := Get(path); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("sidecar %s: err = %v, want %q", sidecar, err, wantErr)
		}
	}
	os.WriteFile(SidecarPath(path), []byte(`{"pattern":`), 0o644)
	if _, err := Get(path); !errors.As(err, &se) || se.Path != SidecarPath(path) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sidecar that is not JSON: err = %v, want a SidecarError for %s", err, SidecarPath(path))
	}
}

// cliWords are what an error written for tick's command line would say:
// a flag, or a tick command.
var cliWords = regexp.MustCompile(`--[a-z]|\btick [a-z]`)

// TestErrorsSpeakGo checks that the package's errors for bad input advise
// a Go caller in Go (the option, type or function to use), never with
// tick's flags: cmd/tick turns them into flag advice (see its tests).
func TestErrorsSpeakGo(t *testing.T) {
	dir := t.TempDir()
	noSidecar := filepath.Join(dir, "bare.tiktoken")
	os.WriteFile(noSidecar, []byte("IQ== 0\n"), 0o644)
	badSidecar := filepath.Join(dir, "bad.tiktoken")
	os.WriteFile(badSidecar, []byte("IQ== 0\n"), 0o644)
	os.WriteFile(SidecarPath(badSidecar), []byte(`{"pattern":`), 0o644)
	malformed := filepath.Join(dir, "malformed.tiktoken")
	os.WriteFile(malformed, []byte("IQ== 0\nnot a rank line\n"), 0o644)
	enc := mustGet(t, "cl100k_base")
	for _, c := range []struct {
		name   string
		err    func() error
		goName string // the Go name the advice must give
	}{
		{"special token", func() error { _, err := enc.Encode("a<|endoftext|>", SpecialRaise); return err }, "SpecialAllow"},
		{"no sidecar", func() error { _, err := Get(noSidecar); return err }, "Load"},
		{"sidecar not JSON", func() error { _, err := Get(badSidecar); return err }, "Load"},
		{"missing rank file", func() error { _, err := Load(filepath.Join(dir, "none.tiktoken"), split.CL100K, nil); return err }, "Vocab.Save"},
		{"malformed rank file", func() error { _, err := Load(malformed, split.CL100K, nil); return err }, "line 2"},
		{"unknown special mode", func() error { _, err := enc.Encode("a", SpecialMode(7)); return err }, "SpecialRaise"},
	} {
		err := c.err()
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case cliWords.MatchString(err.Error()):
			t.Errorf("%s: %q speaks of tick's command line, not Go", c.name, err)
		case !strings.Contains(err.Error(), c.goName):
			t.Errorf("%s: %q does not name %s", c.name, err, c.goName)
		}
	}
}

// BenchmarkLoad measures loading each built-in from its embedded file
// (what the first Get in a process pays); it must be well under 100 ms.
func BenchmarkLoad(b *testing.B) {
	for _, name := range Builtins() {
		bi := builtins[name]
		data, _ := assets.Assets.ReadFile(bi.file)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := fromRankData(name, data, bi.pattern, bi.specials); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadTiktokenGo is the same for tiktoken-go, for comparison.
func BenchmarkLoadTiktokenGo(b *testing.B) {
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		bi := builtins[name]
		data, _ := assets.Assets.ReadFile(bi.file)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				ranks, err := ParseRanks(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tiktoken.NewCoreBPE(ranks, bi.specials, bi.pattern.Regexp()); err != nil {
					b.Fatal(fmt.Errorf("tiktoken-go: %w", err))
				}
			}
		})
	}
}
