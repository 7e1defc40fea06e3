package main

import (
	"os"
	"path/filepath"
	"runtime"
)

// sampleLine is one line of the sample text with a label saying what it is.
type sampleLine struct {
	Label, Text string
}

// sample mixes the kinds of text tokenizers treat differently: English
// prose, code, other scripts, emoji and numbers.
var sample = []sampleLine{
	{"English", "The tokenizer doesn't see letters, it sees pieces."},
	{"code", "for i := 0; i < len(xs); i++ {\n\tsum += xs[i]\n}"},
	{"Russian", "Привет, как дела?"},
	{"Hindi", "नमस्ते दुनिया"},
	{"Japanese", "東京は日本の首都です。"},
	{"emoji", "I ❤️ Go 👋🏽 🧑‍💻"},
	{"numbers", "π ≈ 3.14159, and 1234567 + 89 = 1234656"},
}

// opticks reads Newton's Opticks, which every Go installation ships, for a
// larger check against tiktoken-go.
func opticks() (name string, data []byte, ok bool) {
	path := filepath.Join(runtime.GOROOT(), "src", "testdata", "Isaac.Newton-Opticks.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, false
	}
	return "Newton's Opticks (" + path + ")", data, true
}

// isTerminal reports whether f is a terminal (a character device), where
// ANSI colours make sense; piped output stays plain text.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
