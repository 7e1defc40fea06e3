package tokenizer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer/split"
)

// cutFragments are what adversarial texts for CanCut are made of: runs of
// each character class the split patterns treat differently (letters of
// each case, digits, spaces, newlines, carriage returns, punctuation,
// apostrophes and contractions, '/', marks, emoji with joiners, Unicode
// spaces, invalid bytes) and special tokens, including ones that contain a
// space or a newline.
var cutFragments = []string{
	"a", "Z", "q", "word", "Hello", "DON'T", "it's", "'s", "'LL", "'", "1", "23", "4567",
	" ", "  ", "   ", "\n", "\n\n", "\r\n", "\r", "\t", " \n", "\n ",
	".", ",", "!?", "/", "//", "<", "|", "-", "(", ")",
	"é", "日本", "ǅ", "ʰ", "\u0301", "ß", "Ω", "\u00a0", "\u2028", "\u3000", "\x85", "\u200d",
	"🤖", "👨\u200d👩\u200d👧", "🇫🇷", "\xff", "\xe6\x9d", "\xc3",
	"<|endoftext|>", "<|fim_prefix|>", "<|a b|>", "x\ny",
}

// commonFragments make half of a text, so that the places CanCut allows
// (between ASCII letters, spaces and newlines) are frequent.
var commonFragments = []string{"a", "word", "X", "7", ".", " ", "\n"}

func randomCutText(rng *rand.Rand) string {
	var sb strings.Builder
	for range rng.IntN(100) {
		if rng.IntN(2) == 0 {
			sb.WriteString(commonFragments[rng.IntN(len(commonFragments))])
		} else {
			sb.WriteString(cutFragments[rng.IntN(len(cutFragments))])
		}
	}
	return sb.String()
}

// cutEncodings are the built-in encodings and, for each split pattern,
// cl100k_base's ranks with a special token that contains a space, or one
// that contains a newline (so CanCut must avoid cutting through them).
func cutEncodings(t testing.TB) []*Encoding {
	encs := []*Encoding{}
	for _, name := range Builtins() {
		encs = append(encs, mustGet(t, name))
	}
	cl := mustGet(t, "cl100k_base")
	for _, special := range []string{"<|a b|>", "x\ny"} {
		specials := map[string]int{"<|endoftext|>": 100257, special: 100300}
		for _, p := range []split.Pattern{split.GPT2, split.CL100K, split.O200K, split.None} {
			enc, err := newEncoding(fmt.Sprintf("%s+%q", p, special), cl.vocab, p, specials)
			if err != nil {
				t.Fatal(err)
			}
			encs = append(encs, enc)
		}
	}
	return encs
}

// TestCanCutKeepsTokens encodes adversarial texts whole and in two parts at
// every place CanCut allows, in each special-token mode: the two parts'
// tokens joined must be the whole text's, and an error for a special token
// must name the same token at the same byte. The character groups a view
// draws must not change either. It also checks that the cuts happen: a
// CanCut that never says yes would pass the rest vacuously.
func TestCanCutKeepsTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 4))
	texts := []string{
		"The end.\nNext line\nand 3 more\n",
		"one two  three \n four\n\nfive\n/six",
		strings.Repeat("a ", 50) + strings.Repeat(" ", 20) + "b\n" + strings.Repeat("\n", 5) + "c",
		"x <|endoftext|> y\nz <|a b|> w x\ny v",
	}
	for range 1000 {
		texts = append(texts, randomCutText(rng))
	}
	cuts := map[string]int{}
	for _, enc := range cutEncodings(t) {
		for _, text := range texts {
			for i := range len(text) + 1 {
				if !enc.CanCut(text, i) {
					continue
				}
				cuts[enc.Name()]++
				for _, mode := range []SpecialMode{SpecialRaise, SpecialAllow, SpecialOrdinary} {
					if msg := cutDiffers(enc, text, i, mode); msg != "" {
						t.Fatalf("%s, %v, text %q cut at %d (%q | %q): %s", enc.Name(), mode, text, i, text[:i], text[i:], msg)
					}
				}
				if msg := groupsDiffer(enc, text, i); msg != "" {
					t.Fatalf("%s, text %q cut at %d: %s", enc.Name(), text, i, msg)
				}
			}
		}
	}
	for _, enc := range cutEncodings(t) {
		t.Logf("%s: %d cuts checked", enc.Name(), cuts[enc.Name()])
		switch {
		case enc.Pattern() == split.None && cuts[enc.Name()] > 0:
			t.Errorf("%s cuts text, though its pattern keeps the whole text as one piece", enc.Name())
		case enc.Pattern() != split.None && cuts[enc.Name()] < 500:
			t.Errorf("%s: only %d cuts allowed in %d texts; the test needs many to mean something", enc.Name(), cuts[enc.Name()], len(texts))
		}
	}
}

// cutDiffers encodes text whole and as text[:i] then text[i:], and says
// how they differ ("" if they do not).
func cutDiffers(enc *Encoding, text string, i int, mode SpecialMode) string {
	whole, errWhole := enc.Encode(text, mode)
	a, errA := enc.Encode(text[:i], mode)
	b, errB := enc.Encode(text[i:], mode)
	var se *SpecialTokenError
	switch {
	case errA == nil && errB != nil && errors.As(errB, &se):
		errB = &SpecialTokenError{Token: se.Token, Pos: se.Pos + i} // as a position in text
	}
	errParts := errA
	if errParts == nil {
		errParts = errB
	}
	if fmt.Sprint(errWhole) != fmt.Sprint(errParts) {
		return fmt.Sprintf("whole: %v; in parts: %v", errWhole, errParts)
	}
	if errWhole != nil {
		return ""
	}
	if parts := append(slices.Clone(a), b...); !slices.Equal(whole, parts) {
		return fmt.Sprintf("whole %v, parts %v + %v", whole, a, b)
	}
	return ""
}

// groupsDiffer checks that the character groups of the tokens of text are
// those of its two parts, one after the other.
func groupsDiffer(enc *Encoding, text string, i int) string {
	texts := func(s string) []string {
		toks, err := enc.Tokens(enc.EncodeOrdinary(s))
		if err != nil {
			panic(err)
		}
		var out []string
		for _, g := range CharGroups(toks) {
			out = append(out, fmt.Sprintf("%q/%d", g.Text, len(g.Tokens)))
		}
		return out
	}
	if whole, parts := texts(text), append(texts(text[:i]), texts(text[i:])...); !slices.Equal(whole, parts) {
		return fmt.Sprintf("character groups whole %v, in parts %v", whole, parts)
	}
	return ""
}

// FuzzCanCut: wherever CanCut allows a cut, the two parts encode to the
// whole text's tokens.
func FuzzCanCut(f *testing.F) {
	f.Add("The end.\nNext one  two\n\n x\ny <|endoftext|> z")
	f.Add("a b\nc.\n/d 12\n34 'e f")
	encs := cutEncodings(f)
	f.Fuzz(func(t *testing.T, text string) {
		for _, enc := range encs {
			for i := range len(text) + 1 {
				if !enc.CanCut(text, i) {
					continue
				}
				for _, mode := range []SpecialMode{SpecialRaise, SpecialAllow, SpecialOrdinary} {
					if msg := cutDiffers(enc, text, i, mode); msg != "" {
						t.Fatalf("%s, %v, text %q cut at %d: %s", enc.Name(), mode, text, i, msg)
					}
				}
			}
		}
	})
}
