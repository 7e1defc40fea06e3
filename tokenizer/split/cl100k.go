package split

// The cl100k pattern (cl100k_base, Llama 3), alternatives tried in order,
// one per line (a leading space is part of the alternative):
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)
//	[^\r\n\p{L}\p{N}]?\p{L}+
//	\p{N}{1,3}
//	 ?[^\s\p{L}\p{N}]+[\r\n]*
//	\s*[\r\n]+
//	\s+(?!\S)
//	\s+
//
// Differences from GPT-2: contractions in any case, a word may take any one
// non-newline character in front (not only ' '), numbers come in groups of
// at most three digits, punctuation keeps the newlines that follow it, and
// runs of spaces containing newlines end after the last newline.

// nextCL100K returns the length of the first piece of text (non-empty).
func nextCL100K(text []byte) int {
	if n := contraction(text); n > 0 {
		return n
	}
	c0 := classAt(text)
	// `[^\r\n\p{L}\p{N}]?\p{L}+`
	if c0&letter != 0 {
		return span(text, 0, letter)
	}
	if c0.prefix() && len(text) > 1 {
		if n0 := width(text); n0 < len(text) && classAt(text[n0:])&letter != 0 {
			return span(text, n0, letter)
		}
	}
	// `\p{N}{1,3}`
	if c0&number != 0 {
		return digits(text)
	}
	// ` ?[^\s\p{L}\p{N}]+[\r\n]*`
	if n := punctuation(text, c0, false); n > 0 {
		return n
	}
	// `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`
	return spaces(text)
}

// contraction matches `(?i:'s|'t|'re|'ve|'m|'ll|'d)` and returns its length,
// or 0. regexp2 compares unicode.ToLower of each input character with the
// lower-case pattern; only ASCII letters lower to these letters (tested),
// and for them b|0x20 is the lower case.
func contraction(text []byte) int {
	if len(text) < 2 || text[0] != '\'' {
		return 0
	}
	switch text[1] | 0x20 {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if len(text) > 2 && text[2]|0x20 == 'e' {
			return 3
		}
	case 'l':
		if len(text) > 2 && text[2]|0x20 == 'l' {
			return 3
		}
	}
	return 0
}

// digits matches `\p{N}{1,3}` at the start of text, which starts with a
// number.
func digits(text []byte) int {
	end := 0
	for k := 0; k < 3 && end < len(text); k++ {
		c, n := decode(text[end:])
		if c&number == 0 {
			break
		}
		end += n
	}
	return end
}

// punctuation matches ` ?[^\s\p{L}\p{N}]+[\r\n]*` (with slash, o200k's
// ` ?[^\s\p{L}\p{N}]+[\r\n/]*`) at the start of text, whose first character
// has class c0, and returns its length, or 0.
func punctuation(text []byte, c0 class, slash bool) int {
	i, c := 0, c0
	if text[0] == ' ' {
		// ' ' is \s, so if the run does not start after it, it cannot
		// start at it either.
		if len(text) == 1 {
			return 0
		}
		i = 1
		c = classAt(text[1:])
	}
	if !c.other() {
		return 0
	}
	return spanNewlines(text, spanOther(text, i), slash)
}

// spaces matches `\s*[\r\n]+|\s+(?!\S)|\s+` at the start of text, which
// starts with a space character.
//
// `\s*[\r\n]+`: `\s*` takes the whole run of spaces and then gives back
// characters until `[\r\n]+` can match, so the piece ends just after the
// last '\r' or '\n' of the run. Without one, it is GPT-2's trailingSpaces.
func spaces(text []byte) int {
	end, last, nl := spaceRun(text)
	if nl > 0 {
		return nl
	}
	return giveBackLast(text, end, last)
}
