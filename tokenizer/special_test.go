package tokenizer

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomSpecials returns n distinct special tokens over a small alphabet,
// so that many are prefixes, suffixes or overlaps of others: the cases
// where "first, then longest" is easy to get wrong.
func randomSpecials(rng *rand.Rand, n int, alphabet string, maxLen int) map[string]int {
	out := map[string]int{}
	for try := 0; len(out) < n && try < 100*n; try++ { // short strings over a small alphabet run out
		var sb strings.Builder
		for range 1 + rng.IntN(maxLen) {
			sb.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		if _, ok := out[sb.String()]; !ok {
			out[sb.String()] = 1<<20 + len(out)
		}
	}
	return out
}

func randomText(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// TestFindAgreesWithPlain checks the Aho–Corasick search against the plain
// one, findPlain, on every suffix of random texts, for random sets of
// special tokens over small alphabets (so that they overlap in every way)
// and for the real sets: the built-ins' and Llama 3's 256.
func TestFindAgreesWithPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 15))
	cl := mustGet(t, "cl100k_base")
	type set struct {
		name     string
		specials map[string]int
		alphabet string
	}
	var sets []set
	for i := range 60 {
		alphabet := []string{"ab", "abc", "<|>a", "ab<|>\x00\xff"}[i%4]
		sets = append(sets, set{fmt.Sprintf("random %d", i), randomSpecials(rng, 1+rng.IntN(30), alphabet, 1+rng.IntN(8)), alphabet + "xy"})
	}
	sets = append(sets, set{"llama3", Llama3SpecialTokens(1 << 20), "<|>_abcdefghijklmnopqrstuvwxyz0123456789"})
	for _, name := range Builtins() {
		renumbered := map[string]int{} // clear of cl100k_base's ranks, whose vocabulary the set is checked against
		for tok := range builtins[name].specials {
			renumbered[tok] = 1<<20 + len(renumbered)
		}
		sets = append(sets, set{name, renumbered, "<|>_abcdefghijklmnopqrstuvwxyz "})
	}
	for _, c := range sets {
		s, err := newSpecialSet(c.specials, cl.vocab)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range c.specials {
			keys = append(keys, k)
		}
		for range 30 {
			// Random text with the special tokens themselves mixed in.
			var sb strings.Builder
			for range 40 {
				if rng.IntN(3) == 0 {
					sb.WriteString(keys[rng.IntN(len(keys))])
				} else {
					sb.WriteString(randomText(rng, c.alphabet, rng.IntN(6)))
				}
			}
			text := sb.String()
			for i := range len(text) + 1 {
				gp, gt, gid := s.find(text[i:])
				wp, wt, wid := s.findPlain(text[i:])
				if gp != wp || gt != wt || gid != wid {
					t.Fatalf("%s: find(%q) = %d %q %d, findPlain = %d %q %d", c.name, text[i:], gp, gt, gid, wp, wt, wid)
				}
			}
		}
	}
}

// TestFindLongestAtFirst spells out the rule on cases chosen by hand.
func TestFindLongestAtFirst(t *testing.T) {
	cl := mustGet(t, "cl100k_base")
	specials := map[string]int{"<|a": 1 << 20, "<|ab|>": 1<<20 + 1, "b|>c": 1<<20 + 2, "|a": 1<<20 + 3, "xyz": 1<<20 + 4}
	s, err := newSpecialSet(specials, cl.vocab)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text string
		pos  int
		tok  string
	}{
		{"", -1, ""},
		{"nothing here", -1, ""},
		{"x <|ab|> y", 2, "<|ab|>"}, // longest at the first start
		{"x <|ac", 2, "<|a"},        // the longer one is not there
		{"x <|ab|>c", 2, "<|ab|>"},  // "b|>c" starts later
		{"x|ab|>c", 1, "|a"},        // "|a" starts before "b|>c"
		{"<xyz <|a", 1, "xyz"},      // the first wins over a longer later one
		{"xy<|ab|", 2, "<|a"},       // "<|ab|>" is cut short
		{"xxyzz", 1, "xyz"},         // after a false start
		{"b|>c<|ab|>", 0, "b|>c"},   // at the very start
		{"aaaaaaaa<|ab|>", 8, "<|ab|>"},
	}
	for _, c := range cases {
		pos, tok, _ := s.find(c.text)
		if pos != c.pos || tok != c.tok {
			t.Errorf("find(%q) = %d %q, want %d %q", c.text, pos, tok, c.pos, c.tok)
		}
		if pos, tok, _ := s.findPlain(c.text); pos != c.pos || tok != c.tok {
			t.Errorf("findPlain(%q) = %d %q, want %d %q", c.text, pos, tok, c.pos, c.tok)
		}
	}
}

// manySpecials is the case of issue 15: n special tokens, all starting
// with '<' and of n different lengths, and 100 KB of text full of '<'.
func manySpecials(t testing.TB, n int) (*Encoding, string) {
	cl := mustGet(t, "cl100k_base")
	specials := map[string]int{}
	for i := range n {
		specials["<"+strings.Repeat("x", i)+">"] = 200000 + i
	}
	enc, err := newEncoding("many", cl.vocab, cl.pattern, specials)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	return enc, randomText(rng, "<x> abc\n", 100<<10)
}

// BenchmarkManySpecials encodes 100 KB with 0 to 2,000 special tokens
// (find: the whole Encode with the automaton), and runs the plain search
// over the same text (findPlain). The first stays about the same whatever
// the number of special tokens; the second grows with it. Run with
//
//	go test ./tokenizer -run '^$' -bench ManySpecials -benchtime 3x
func BenchmarkManySpecials(b *testing.B) {
	for _, n := range []int{0, 20, 200, 2000} {
		enc, text := manySpecials(b, n)
		b.Run(fmt.Sprintf("find/%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := enc.Encode(text, SpecialAllow); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("findPlain/%d", n), func(b *testing.B) {
			for b.Loop() {
				rest := text
				for {
					pos, tok, _ := enc.specials.findPlain(rest)
					if pos < 0 {
						break
					}
					rest = rest[pos+len(tok):]
				}
			}
		})
	}
}

// FuzzFind: the automaton agrees with the plain search on any text, for
// special tokens that overlap in many ways.
func FuzzFind(f *testing.F) {
	f.Add("x <|ab|> y <|a b|>c|a")
	f.Add("<<|a|ab|>>b|>c")
	cl := mustGet(f, "cl100k_base")
	specials := map[string]int{"<|a": 1 << 20, "<|ab|>": 1<<20 + 1, "b|>c": 1<<20 + 2, "|a": 1<<20 + 3, "a": 1<<20 + 4, "<|endoftext|>": 1<<20 + 5, "ab|>": 1<<20 + 6}
	s, err := newSpecialSet(specials, cl.vocab)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		gp, gt, _ := s.find(text)
		wp, wt, _ := s.findPlain(text)
		if gp != wp || gt != wt {
			t.Fatalf("find(%q) = %d %q, findPlain = %d %q", text, gp, gt, wp, wt)
		}
	})
}
