package bpe

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/goroot"
)

// opticks returns n bytes of Isaac Newton's Opticks from offset off. Every
// Go installation ships the book, so a missing file fails the test with a
// message saying why; opticks returns nil then, and the test's other texts
// are still checked.
func opticks(tb testing.TB, off, n int) []byte {
	tb.Helper()
	_, b, err := goroot.Opticks()
	if err != nil {
		tb.Errorf("this test reads Newton's Opticks: %v", err)
		return nil
	}
	if off+n > len(b) {
		tb.Fatalf("Opticks has %d bytes, want %d", len(b), off+n)
	}
	return b[off : off+n]
}

// goSources returns n bytes of the Go standard library's sources under
// GOROOT/src/dir, whole files in lexical order so the corpus is the same on
// every run. The command sources (src/cmd, with multi-megabyte generated
// tables) are left out, and goroot.GoFiles leaves out vendored code and test
// data. If they cannot be read the test fails and goSources returns nil.
func goSources(tb testing.TB, dir string, n int) []byte {
	tb.Helper()
	root, err := goroot.Dir()
	if err != nil {
		tb.Errorf("this test reads the Go sources: %v", err)
		return nil
	}
	root = filepath.Join(root, "src", dir)
	entries, err := os.ReadDir(root)
	if err != nil {
		tb.Errorf("this test reads the Go sources: %v", err)
		return nil
	}
	var out []byte
	for _, e := range entries {
		path := filepath.Join(root, e.Name())
		switch {
		case len(out) >= n:
		case e.IsDir() && e.Name() != "cmd":
			docs, err := goroot.GoFiles(path, n-len(out))
			if err != nil {
				tb.Fatalf("read Go sources: %v", err)
			}
			out = append(out, strings.Join(docs, "")...)
		case !e.IsDir() && strings.HasSuffix(e.Name(), ".go"):
			b, err := os.ReadFile(path)
			if err != nil {
				tb.Fatalf("read Go sources: %v", err)
			}
			out = append(out, b...)
		}
	}
	if len(out) < n {
		tb.Fatalf("only %d bytes of Go sources under %s, want %d", len(out), root, n)
	}
	return out[:n]
}

// adversarial returns n bytes of text built to stress a BPE trainer: long
// runs of one letter ("aaaa..."), alternations ("abababa"), runs of spaces,
// tabs and newlines, digit runs, contractions in mixed case, and multi-byte
// characters (accents, CJK, emoji with joiners), mixed at random.
func adversarial(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	parts := []func() string{
		func() string { return strings.Repeat("a", 1+r.IntN(40)) },
		func() string { return strings.Repeat("ab", 1+r.IntN(20)) + "a"[:r.IntN(2)] },
		func() string { return strings.Repeat("aab", 1+r.IntN(10)) },
		func() string { return strings.Repeat(" ", 1+r.IntN(8)) },
		func() string { return []string{"\n", "\r\n", "\t", "\n\n", " \n"}[r.IntN(5)] },
		func() string { return strings.Repeat("9", 1+r.IntN(12)) },
		func() string { return []string{"DON'T", "we'LL", "it's", "I'M", "they'Re"}[r.IntN(5)] },
		func() string {
			return []string{"é", "日本語", "👩‍👩‍👧", "ñ̃", "\u0085", "\ufeff", "!!!", "..."}[r.IntN(8)]
		},
		func() string { return string(rune('a' + r.IntN(3))) },
	}
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(parts[r.IntN(len(parts))]())
	}
	return []byte(b.String()[:n])
}

// twoLetters returns n random letters a and b, with a space now and then:
// the densest source of overlapping pairs.
func twoLetters(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 9))
	b := make([]byte, n)
	for i := range b {
		b[i] = "aaab b"[r.IntN(6)]
	}
	return b
}

// runs returns unit repeated 1, 2, ... n times, each run on its own line
// and also glued to the next: every length of "aaaa..." or "abab..." run,
// the text where pairs overlap most.
func runs(unit string, n int) []byte {
	var b strings.Builder
	for k := 1; k <= n; k++ {
		b.WriteString(strings.Repeat(unit, k))
		b.WriteString(" \n")
		b.WriteString(strings.Repeat(unit, k) + unit[:1])
	}
	return []byte(b.String())
}
