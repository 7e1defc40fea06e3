package generate

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tick-llm/tick/internal/goroot"
)

// chunkText is a vocabulary of byte chunks: token i stands for chunks[i].
func chunkText(chunks [][]byte) TokenText {
	return func(id int) []byte { return chunks[id] }
}

// TestUTF8StreamSplits cuts real multilingual text into random byte chunks,
// as byte-level tokens cut characters, streams them as tokens, and checks
// the property that matters: every piece printed is valid UTF-8 and the
// pieces add up to the text.
func TestUTF8StreamSplits(t *testing.T) {
	text := []byte("Newton's Opticks — «lumière» 光の本 🌈 e\u0301 ok\n")
	_, b, err := goroot.Opticks()
	if err != nil {
		t.Fatal(err)
	}
	text = append(text, b[:min(len(b), 20000)]...)
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		var chunks [][]byte
		for rest := text; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(5))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		s := newTextStream(chunkText(chunks))
		var got strings.Builder
		for id := range chunks {
			piece := s.Push(id)
			if !utf8.ValidString(piece) {
				t.Fatalf("trial %d: printed invalid UTF-8 %q", trial, piece)
			}
			got.WriteString(piece)
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
		{"a token with no bytes", []string{"\xe2\x82", "", "\xac"}, []string{"", "", "€"}, ""},
	}
	for _, tt := range tests {
		var chunks [][]byte
		for _, c := range tt.chunks {
			chunks = append(chunks, []byte(c))
		}
		s := newTextStream(chunkText(chunks))
		for i := range tt.chunks {
			if got := s.Push(i); got != tt.pushed[i] {
				t.Errorf("%s: push %d gave %q, want %q", tt.name, i, got, tt.pushed[i])
			}
		}
		if got := s.Flush(); got != tt.flush {
			t.Errorf("%s: flush gave %q, want %q", tt.name, got, tt.flush)
		}
	}
	// Pushing several tokens at once prints what pushing them one by one does.
	chunks := [][]byte{[]byte("x\xe2"), []byte("\x82"), []byte("\xac\xe2")}
	one, all := newTextStream(chunkText(chunks)), newTextStream(chunkText(chunks))
	if a, b := one.Push(0)+one.Push(1)+one.Push(2), all.Push(0, 1, 2); a != b || b != "x€" {
		t.Errorf("one by one %q, all at once %q; want x€", a, b)
	}
}

func TestJSONText(t *testing.T) {
	tests := []struct{ in, json string }{
		{"hello", "hello"},
		{" the", " the"},
		{"a\nb\tc\r", "a\nb\tc\r"},
		{"\x00\x7f", "\x00\x7f"},
		{"é", "é"},
		{"\xe2\x82", `\xe2\x82`}, // the first two bytes of €
		{"x\xff", `x\xff`},
		{"\uFFFD", "\uFFFD"}, // a real replacement character is valid UTF-8
	}
	for _, tt := range tests {
		if got := jsonText(tt.in); got != tt.json {
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

func TestBeginningOfText(t *testing.T) {
	spell := func(vocab []string) TokenText {
		return func(id int) []byte {
			if id < 0 || id >= len(vocab) {
				return nil
			}
			return []byte(vocab[id])
		}
	}
	tests := []struct {
		name  string
		vocab []string
		id    int
		ok    bool
	}{
		{"GPT-2 starts from <|endoftext|>", []string{"a", "b", "<|endoftext|>"}, 2, true},
		{"Llama 3 has its own, before its end", []string{"a", "<|begin_of_text|>", "<|end_of_text|>"}, 1, true},
		{"its own wins over <|endoftext|>", []string{"<|endoftext|>", "<|begin_of_text|>"}, 1, true},
		{"Llama's end token is no beginning", []string{"a", "<|end_of_text|>"}, 0, false},
		{"a char vocabulary has none", []string{"a", "b", "<", "|"}, 0, false},
	}
	for _, tt := range tests {
		id, ok := BeginningOfText(len(tt.vocab), spell(tt.vocab))
		if id != tt.id || ok != tt.ok {
			t.Errorf("%s: BeginningOfText = %d, %v; want %d, %v", tt.name, id, ok, tt.id, tt.ok)
		}
	}
}
