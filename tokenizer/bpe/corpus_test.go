package bpe

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var goroot = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

// opticks returns n bytes of Isaac Newton's Opticks from offset off.
func opticks(tb testing.TB, off, n int) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(goroot(), "src", "testdata", "Isaac.Newton-Opticks.txt"))
	if err != nil {
		tb.Fatalf("read Opticks: %v", err)
	}
	if off+n > len(b) {
		tb.Fatalf("Opticks has %d bytes, want %d", len(b), off+n)
	}
	return b[off : off+n]
}

// goSources returns n bytes of the Go standard library's sources under
// GOROOT/src/dir, whole files in lexical order so the corpus is the same on
// every run. The command sources (cmd, with multi-megabyte generated tables),
// vendored code and test data are left out.
func goSources(tb testing.TB, dir string, n int) []byte {
	tb.Helper()
	var out []byte
	root := filepath.Join(goroot(), "src", dir)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || len(out) >= n {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || d.Name() == "vendor" || d.Name() == "cmd") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out = append(out, b...)
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("read Go sources: %v", err)
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
