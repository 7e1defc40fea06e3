package generate

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestUTF8StreamSplits cuts real multilingual text into random byte chunks,
// as byte-level tokens cut characters, and checks the property that matters:
// every piece printed is valid UTF-8 and the pieces add up to the text.
func TestUTF8StreamSplits(t *testing.T) {
	text := []byte("Newton's Opticks — «lumière» 光の本 🌈 e\u0301 ok\n")
	if b, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "testdata", "Isaac.Newton-Opticks.txt")); err == nil {
		text = append(text, b[:min(len(b), 20000)]...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		var s utf8Stream
		var got strings.Builder
		for rest := text; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(5))
			piece := s.Push(rest[:n])
			if !utf8.ValidString(piece) {
				t.Fatalf("trial %d: printed invalid UTF-8 %q", trial, piece)
			}
			got.WriteString(piece)
			rest = rest[n:]
		}
		got.WriteString(s.Flush())
		if got.String() != string(text) {
			t.Fatalf("trial %d: pieces do not add up to the text", trial)
		}
	}
}

func TestUTF8StreamInvalid(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		pushed []string // what each Push returns
		flush  string
	}{
		{"a character split in three", []string{"a\xe2", "\x82", "\xacb"}, []string{"a", "", "€b"}, ""},
		{"a stray continuation byte", []string{"\x82x"}, []string{"\uFFFDx"}, ""},
		{"an unfinished character at the end", []string{"ok\xf0\x9f"}, []string{"ok"}, "\uFFFD"},
		{"a start byte interrupted by ASCII", []string{"\xe2", "z"}, []string{"", "\uFFFDz"}, ""},
	}
	for _, tt := range tests {
		var s utf8Stream
		for i, c := range tt.chunks {
			if got := s.Push([]byte(c)); got != tt.pushed[i] {
				t.Errorf("%s: push %d gave %q, want %q", tt.name, i, got, tt.pushed[i])
			}
		}
		if got := s.Flush(); got != tt.flush {
			t.Errorf("%s: flush gave %q, want %q", tt.name, got, tt.flush)
		}
	}
}

func TestDisplay(t *testing.T) {
	tests := []struct{ in, display, json string }{
		{"hello", "hello", "hello"},
		{" the", "·the", " the"},
		{"a\nb\tc\r", "a⏎b→c\\r", "a\nb\tc\r"},
		{"\x00\x7f", `\x00\x7f`, "\x00\x7f"},
		{"é", "é", "é"},
		{"\xe2\x82", `\xe2\x82`, `\xe2\x82`}, // the first two bytes of €
		{"x\xff", `x\xff`, `x\xff`},
	}
	for _, tt := range tests {
		if got := display([]byte(tt.in)); got != tt.display {
			t.Errorf("display(%q) = %q, want %q", tt.in, got, tt.display)
		}
		if got := jsonText([]byte(tt.in)); got != tt.json {
			t.Errorf("jsonText(%q) = %q, want %q", tt.in, got, tt.json)
		}
	}
}

func TestTail(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abcdef", 4, "…def"},
		{"日本語です", 3, "…です"},
		{"abc", 1, "…"},
		{"abc", 0, ""},
	}
	for _, tt := range tests {
		if got := tail(tt.s, tt.n); got != tt.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestEndOfText(t *testing.T) {
	vocab := []string{"a", "<|endo", "<|endoftext|>x", "b", "<|endoftext|>", "c"}
	text := func(id int) []byte {
		if id < 0 || id >= len(vocab) {
			return nil
		}
		return []byte(vocab[id])
	}
	if id, ok := EndOfText(len(vocab), text); !ok || id != 4 {
		t.Errorf("EndOfText = %d, %v; want 4, true", id, ok)
	}
	if id, ok := EndOfText(4, text); ok {
		t.Errorf("EndOfText found %d in a vocabulary without it", id)
	}
}
