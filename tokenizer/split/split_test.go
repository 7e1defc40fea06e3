package split

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// TestSplitMatchesRegexp2 is the proof: on real text and on hostile text,
// every pattern's scanner cuts exactly where regexp2 running the official
// pattern cuts.
func TestSplitMatchesRegexp2(t *testing.T) {
	corpora := append(realCorpora(t),
		corpus{"adversarial-1", adversarial(1, 200<<10)},
		corpus{"adversarial-2", adversarial(2, 200<<10)})
	for _, c := range corpora {
		for _, p := range patterns {
			t.Run(c.name+"/"+p.String(), func(t *testing.T) {
				t.Parallel()
				if err := compareEnds(p, c.text); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestSplitCases shows the subtle cases of the patterns one at a time, each
// checked against regexp2, and checks that the pieces are the ones a reader
// of the pattern would expect.
func TestSplitCases(t *testing.T) {
	tests := []struct {
		p    Pattern
		text string
		want []string
	}{
		// `\s+(?!\S)` gives the last space to the next word.
		{GPT2, "a   b", []string{"a", "  ", " b"}},
		{GPT2, "a   ", []string{"a", "   "}},
		{GPT2, "\t\t b", []string{"\t\t", " b"}},
		// Only ' ' joins a word in GPT-2, any non-newline character in cl100k.
		{GPT2, "\tb", []string{"\t", "b"}},
		{CL100K, "\tb", []string{"\tb"}},
		{CL100K, "\nb", []string{"\n", "b"}},
		// GPT-2's contractions are lower case only.
		{GPT2, "DON'T don't", []string{"DON", "'", "T", " don", "'t"}},
		{CL100K, "DON'T we'LL", []string{"DON", "'T", " we", "'LL"}},
		// A contraction is tried first: "'sa" is not one word.
		{CL100K, "'sa", []string{"'s", "a"}},
		// Numbers: GPT-2 keeps the run, cl100k cuts it in threes.
		{GPT2, "1234567", []string{"1234567"}},
		{CL100K, "1234567", []string{"123", "456", "7"}},
		// Punctuation keeps the newlines after it (and slashes in o200k).
		{CL100K, "}\n\n\tx", []string{"}\n\n", "\tx"}},
		{O200K, "!//\n", []string{"!//\n"}},
		// Spaces end after their last newline.
		{CL100K, " \n  x", []string{" \n", " ", " x"}},
		// o200k cuts words by case.
		{O200K, "HTTPServer iPhone", []string{"HTTPServer", " i", "Phone"}},
		{O200K, "CamelCase", []string{"Camel", "Case"}},
		{O200K, "ALLCaps DON'T", []string{"ALLCaps", " DON'T"}},
		{O200K, "ABCdef'S", []string{"ABCdef'S"}},
		// A mark counts as both cases, and the upper run gives it back.
		{O200K, "A\u0301B!", []string{"A\u0301", "B", "!"}},
		// A mark may be the optional first character or part of the word.
		{O200K, "\u0301A!", []string{"\u0301", "A", "!"}},
		// Invalid UTF-8 is kept, one character per byte.
		{CL100K, "a\xffb", []string{"a", "\xffb"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%q", tt.p, tt.text), func(t *testing.T) {
			if err := compareEnds(tt.p, []byte(tt.text)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, piece := range tt.p.Split([]byte(tt.text)) {
				got = append(got, string(piece))
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// smallAlphabet has one character of each kind the patterns tell apart:
// lower, upper, title case, modifier and other letters, a mark, two kinds
// of number, the spaces, newlines, the apostrophe and the letters of
// contractions, punctuation, '/', and an invalid byte.
var smallAlphabet = []string{"r", "E", "L", "s", "ǅ", "ʰ", "中", "\u0301", "7", "½", " ", "\t", "\n", "\r",
	"'", "!", "/", "\u00a0", "\xff"}

// TestSplitSmallStrings checks the scanners against regexp2 on every string
// of up to three characters of smallAlphabet, and on random longer ones:
// if a scanner is wrong, it is usually wrong on a short string.
func TestSplitSmallStrings(t *testing.T) {
	var texts []string
	var grow func(prefix string, n int)
	grow = func(prefix string, n int) {
		texts = append(texts, prefix)
		if n == 0 {
			return
		}
		for _, c := range smallAlphabet {
			grow(prefix+c, n-1)
		}
	}
	grow("", 3)
	r := rand.New(rand.NewPCG(3, 3))
	for range 20000 {
		texts = append(texts, repeatPick(r, 4+r.IntN(7), smallAlphabet...))
	}
	for _, p := range patterns {
		failures := 0
		for _, text := range texts {
			if err := compareEnds(p, []byte(text)); err != nil {
				if failures++; failures <= 10 {
					t.Error(err)
				}
			}
		}
	}
}

// TestNone checks that None, and a Pattern value that names nothing, keep
// the text whole.
func TestNone(t *testing.T) {
	text := []byte("Hello, world!\n")
	for _, p := range []Pattern{None, Pattern(42)} {
		if pieces := p.Split(text); len(pieces) != 1 || !bytes.Equal(pieces[0], text) {
			t.Errorf("%v: got %q, want the whole text", p, pieces)
		}
		if n := p.Next(nil); n != 0 {
			t.Errorf("%v: Next(nil) = %d, want 0", p, n)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		want Pattern
	}{
		{"gpt2", GPT2}, {"r50k_base", GPT2}, {"p50k", GPT2},
		{"cl100k", CL100K}, {"CL100K_BASE", CL100K}, {"llama3", CL100K},
		{"o200k", O200K}, {"o200k_base", O200K},
		{"none", None}, {"", None},
	}
	for _, tt := range tests {
		got, err := Parse(tt.name)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.name, got, err, tt.want)
		}
		if err == nil {
			if back, err := Parse(got.String()); err != nil || back != got {
				t.Errorf("Parse(%q.String()) = %v, %v", got, back, err)
			}
		}
	}
	if _, err := Parse("gpt5"); err == nil {
		t.Error("Parse(gpt5) succeeded, want an error")
	}
}

// checkPieces checks the property every split must have: non-empty pieces
// that concatenate back to the text.
func checkPieces(t *testing.T, p Pattern, text []byte) {
	t.Helper()
	var joined []byte
	for i, piece := range p.Split(text) {
		if len(piece) == 0 {
			t.Fatalf("%v: piece %d is empty", p, i)
		}
		joined = append(joined, piece...)
	}
	if !bytes.Equal(joined, text) {
		t.Fatalf("%v: pieces join to %q, want %q", p, joined, text)
	}
}

// FuzzSplit checks, for any bytes, that the pieces are non-empty and join
// back to the input, and that they are regexp2's pieces: for invalid UTF-8
// too, which regexp2 sees as one U+FFFD per bad byte.
func FuzzSplit(f *testing.F) {
	for seed := range uint64(64) {
		f.Add(adversarial(seed, 64))
	}
	r := rand.New(rand.NewPCG(7, 7))
	for _, gen := range adversarialFragments {
		for range 4 {
			f.Add([]byte(gen(r) + gen(r)))
		}
	}
	for _, s := range []string{"", " ", "  a", "'s", "'S'", "a\u0301", "\u0301", "A\u0301B", "\r\n\r\n ", "x \t\n",
		"123456", "é", "ǅ", "\xff", "a\xc3", "'\xff", " \xff", "\u00a0\u00a0a", "  \u0085x",
		"CamelCase: DON'T run 12345 tasks!\n  ok"} { // the example's text
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, p := range patterns {
			checkPieces(t, p, text)
			if HasNewInUnicode16(string(text)) {
				continue // regexp2's Unicode 15.0 is no reference there (TestUnicode16)
			}
			if err := compareEnds(p, text); err != nil {
				t.Fatalf("valid UTF-8 %v: %v", utf8.Valid(text), err)
			}
		}
	})
}
