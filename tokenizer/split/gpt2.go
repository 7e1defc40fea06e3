package split

import "unicode/utf8"

// The GPT-2 pattern (r50k_base, p50k_base), alternatives tried in order,
// one per line (a leading space is part of the alternative):
//
//	's|'t|'re|'ve|'m|'ll|'d
//	 ?\p{L}+
//	 ?\p{N}+
//	 ?[^\s\p{L}\p{N}]+
//	\s+(?!\S)
//	\s+
//
// Every character is a letter, a number, a space or "other", so one of the
// alternatives always matches at the first character.

// nextGPT2 returns the length of the first piece of text (non-empty).
func nextGPT2(text []byte) int {
	if n := contractionGPT2(text); n > 0 {
		return n
	}
	// ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: one optional ' ', then a
	// run of one kind. If what follows the ' ' is not such a run, the
	// engine backtracks to no ' ', and a run cannot start with ' '.
	i := 0
	if text[0] == ' ' && len(text) > 1 {
		i = 1
	}
	c := classAt(text[i:])
	switch {
	case c&letter != 0:
		return span(text, i, letter)
	case c&number != 0:
		return span(text, i, number)
	case c.other():
		return spanOther(text, i)
	}
	return trailingSpaces(text)
}

// contractionGPT2 matches `'s|'t|'re|'ve|'m|'ll|'d` (lower case only) and
// returns its length, or 0.
func contractionGPT2(text []byte) int {
	if len(text) < 2 || text[0] != '\'' {
		return 0
	}
	switch text[1] {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if len(text) > 2 && text[2] == 'e' {
			return 3
		}
	case 'l':
		if len(text) > 2 && text[2] == 'l' {
			return 3
		}
	}
	return 0
}

// spanOther returns the end of the run of [^\s\p{L}\p{N}] characters
// starting at text[i:].
func spanOther(text []byte, i int) int {
	return spanNot(text, i, space|letter|number)
}

// trailingSpaces matches `\s+(?!\S)|\s+` at the start of text, which starts
// with a space character. `\s+` first takes the whole run of spaces; if a
// non-space follows, the lookahead fails and the engine gives back one
// character, so the last space is left to start the next piece (" word").
// A run of one character cannot give anything back: `\s+` takes it alone.
func trailingSpaces(text []byte) int {
	end, last, _ := spaceRun(text)
	return giveBackLast(text, end, last)
}

// giveBackLast applies `\s+(?!\S)|\s+` to a run of spaces that ends at end
// and whose last character starts at last.
func giveBackLast(text []byte, end, last int) int {
	if end < len(text) && last > 0 {
		return last
	}
	return end
}

// spaceRun scans the run of \s characters at the start of text and returns
// its end, the start of its last character, and the end of its last '\r' or
// '\n' (0 if it has none).
func spaceRun(text []byte) (end, last, nl int) {
	for end < len(text) {
		b := text[end]
		if b < utf8.RuneSelf {
			if asciiClass[b]&space == 0 {
				break
			}
			last = end
			end++
			if b == '\n' || b == '\r' {
				nl = end
			}
			continue
		}
		c, n := decodeRune(text[end:])
		if c&space == 0 {
			break
		}
		last = end
		end += n
	}
	return end, last, nl
}
