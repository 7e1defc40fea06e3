package tokenizer

import (
	"strings"

	"github.com/tick-llm/tick/tokenizer/split"
)

// CanCut reports whether text may be cut at byte i into text[:i] and
// text[i:] that encode, one after the other, to exactly the tokens of text
// whole, in every SpecialMode. A long input can then be encoded in chunks
// with bounded memory, giving the same tokens as in one piece.
//
// It says yes only where every split pattern would cut anyway, whatever
// follows, and no special token can straddle the cut:
//
//   - after a newline between two ASCII characters that are not spaces
//     ("end.\nNext", "x\n1"): the newline is a piece of its own (or ends
//     one, as in ".\n"), and what follows starts a new piece;
//   - before a space between an ASCII character that is not a space and an
//     ASCII letter ("word next"): the space starts the piece " next".
//
// Both need a character on each side of the cut: CanCut reads only
// text[i-2:i+2], so a caller may pass just those bytes (and i-(i-2)). Pieces never look back, so the text after the cut encodes as
// if it began there. The cuts avoid whitespace runs (which GPT-2's
// `\s+(?!\S)` splits differently when the text ends in one), digit runs
// (cut in threes from their start), '/' after a newline (o200k keeps ".\n/"
// together), carriage returns and everything outside ASCII. The pattern
// None keeps the whole text as one piece, so it never cuts; and a cut
// inside a special token would break it, so a rule is off when a special
// token contains its space or newline.
//
// TestCanCutKeepsTokens checks every cut of many adversarial texts against
// encoding them whole, for each pattern and special-token mode.
func (e *Encoding) CanCut(text string, i int) bool {
	if e.pattern == split.None || i < 1 || i >= len(text) {
		return false
	}
	switch {
	case text[i-1] == '\n':
		return i >= 2 && asciiGraphic(text[i-2]) && (asciiLetter(text[i]) || asciiDigit(text[i])) && !e.specials.hasNewline
	case text[i] == ' ':
		return i+1 < len(text) && asciiGraphic(text[i-1]) && asciiLetter(text[i+1]) && !e.specials.hasSpace
	}
	return false
}

// asciiGraphic: a printable ASCII character other than space, '!'..'~'.
func asciiGraphic(b byte) bool { return b > ' ' && b < 0x7f }

func asciiLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

func asciiDigit(b byte) bool { return b >= '0' && b <= '9' }

// specialsContain reports whether any special token contains s.
func specialsContain(specials map[string]int, s string) bool {
	for text := range specials {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}
