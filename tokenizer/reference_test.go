package tokenizer

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// The independent reference for every differential test is tiktoken-go,
// a Go port of tiktoken built on the regexp2 engine and the official rank
// files (loaded offline from the same embedded assets).

var loaderOnce sync.Once

func refEncoding(t testing.TB, name string) *tiktoken.Tiktoken {
	t.Helper()
	loaderOnce.Do(func() { tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader()) })
	ref, err := tiktoken.GetEncoding(name)
	if err != nil {
		t.Fatalf("tiktoken-go %s: %v", name, err)
	}
	return ref
}

func mustGet(t testing.TB, name string) *Encoding {
	t.Helper()
	enc, err := Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// opticks returns Newton's Opticks from the Go distribution.
func opticks(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "testdata", "Isaac.Newton-Opticks.txt"))
	if err != nil {
		t.Skipf("Opticks not found in GOROOT: %v", err)
	}
	return string(data)
}

// goSources returns about n bytes of the Go standard library's sources, the
// same files in the same order on every run.
func goSources(t testing.TB, n int) string {
	t.Helper()
	var sb strings.Builder
	root := filepath.Join(runtime.GOROOT(), "src")
	errStop := fs.ErrExist
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sb.Write(data)
		if sb.Len() >= n {
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		t.Fatalf("read Go sources: %v", err)
	}
	return sb.String()
}

// adversarial generates text built to trip up a pre-tokenizer: the corners
// of the split patterns (whitespace runs and lookahead, contractions in
// mixed case, digit runs, punctuation runs) and of Unicode (emoji with ZWJ,
// combining marks, CJK, right-to-left scripts, control characters, U+0085
// NEXT LINE, U+FEFF BYTE ORDER MARK). The same seed gives the same text.
func adversarial(seed uint64, n int) string {
	atoms := []string{
		" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "  \n\n  ", "\u00a0", "\u3000", "\v", "\f",
		"'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'LL", "'D", "DON'T", "we'LL", "I'M", "it's", "They'Re", "'", "''", "’s",
		"0", "7", "12", "123", "1234", "12345", "3.14159", "1,000,000", "٣٤٥", "²", "Ⅻ", "½",
		"!", "?!", "...", "—", "--", "->", "=>", ":=", "{}", "();", "//", "/*", "*/", "<|", "|>", "<|endoftext", "#", "@", "$$", "%", "^^^", "&&", "||", "``", "~",
		"a", "hello", "Hello", "HELLO", "hELLO", "naïve", "café", "Straße", "ǅ", "ǈungla", "ĳ", "ﬁ",
		"😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "❤️", "\u200d", "\u200b", "\u2060",
		"e\u0301", "a\u0308\u0304", "\u0301", "\u0915\u094d\u0937", "ก\u0e34",
		"中文", "日本語", "한국어", "漢字かなカナ", "ｆｕｌｌ", "ﾊﾝｶｸ",
		"مرحبا", "שלום", "עִבְרִית", "\u200f", "\u202e",
		"\x00", "\x01", "\x1b[31m", "\x7f", "\u0085", "\ufeff", "\u2028", "\u2029", "\ufffd",
		"𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𐍈", "\U0001f9d1\u200d\U0001f4bb",
	}
	r := rand.New(rand.NewPCG(seed, 0x7469636b))
	var sb strings.Builder
	for sb.Len() < n {
		a := atoms[r.IntN(len(atoms))]
		if r.IntN(8) == 0 {
			a = strings.Repeat(a, 2+r.IntN(20)) // runs
		}
		sb.WriteString(a)
	}
	return sb.String()
}

// diffIDs reports the first difference between two token sequences in a
// readable form.
func diffIDs(t *testing.T, enc *Encoding, label string, got, want []int) {
	t.Helper()
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i] == want[i] {
		i++
	}
	if i == n && len(got) == len(want) {
		return
	}
	lo, hi := max(0, i-3), i+3
	show := func(ids []int) string {
		var parts []string
		for _, id := range ids[lo:min(hi, len(ids))] {
			b, err := enc.TokenBytes(id)
			if err != nil {
				parts = append(parts, "?")
				continue
			}
			parts = append(parts, strings.ReplaceAll(string(b), "\n", `\n`))
		}
		return "[" + strings.Join(parts, "|") + "]"
	}
	t.Errorf("%s: token %d of %d/%d differs\n got %v %s\nwant %v %s", label, i, len(got), len(want),
		got[lo:min(hi, len(got))], show(got), want[lo:min(hi, len(want))], show(want))
}
