package main

import "github.com/tick-llm/tick/internal/goroot"

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
// larger check against tiktoken-go, and says where it was read from.
func opticks() (name string, data []byte, err error) {
	path, data, err := goroot.Opticks()
	if err != nil {
		return "", nil, err
	}
	return "Newton's Opticks (" + path + ")", data, nil
}
