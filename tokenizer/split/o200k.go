package split

// The o200k pattern (o200k_base), alternatives tried in order, one per line
// (a leading space is part of the alternative):
//
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	\p{N}{1,3}
//	 ?[^\s\p{L}\p{N}]+[\r\n/]*
//	\s*[\r\n]+
//	\s+(?!\S)
//	\s+
//
// A word is an upper-case run then a lower-case run, so words are cut where
// lower case turns to upper: "CamelCase" is "Camel" "Case", while
// "HTTPServer" and "ALLCaps" stay whole; a contraction stays with its word
// ("DON'T"). The classes of the two runs overlap: modifier and other
// letters (Lm, Lo) and marks (M) count as both cases. The overlap is what
// makes backtracking visible (see lowerWord), and marks, which are not
// \p{L}, also fit the optional [^\r\n\p{L}\p{N}] in front, so a word may be
// tried with and without its first character.

// nextO200K returns the length of the first piece of text (non-empty).
func nextO200K(text []byte) int {
	c0, n0 := classAt(text), 0
	// The first two alternatives, each with its optional first character
	// first taken, then not. Each needs a letter or mark where its runs
	// start, which most punctuation and spaces rule out at once.
	const cased = caseUpper | caseLower
	atPrefix := false // a letter or mark follows an optional first character
	if c0.prefix() && len(text) > 1 {
		n0 = width(text)
		atPrefix = n0 < len(text) && classAt(text[n0:])&cased != 0
	}
	atStart := c0&cased != 0
	if atPrefix {
		if n := lowerWord(text, n0); n > 0 {
			return n
		}
	}
	if atStart {
		if n := lowerWord(text, 0); n > 0 {
			return n
		}
	}
	if atPrefix {
		if n := upperWord(text, n0); n > 0 {
			return n
		}
	}
	if atStart {
		if n := upperWord(text, 0); n > 0 {
			return n
		}
	}
	// `\p{N}{1,3}`
	if c0&number != 0 {
		return digits(text)
	}
	// ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
	if n := punctuation(text, c0, true); n > 0 {
		return n
	}
	// `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`
	return spaces(text)
}

// lowerWord matches `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+`
// and an optional contraction at text[i:], and returns the end of the
// match, or 0.
//
// The upper run `U*` first takes all it can. If a lower-case-only letter
// (Ll) follows, the lower run `L+` takes it and all the L characters after
// it. Otherwise the engine gives back characters of the upper run one at a
// time until `L+` can match one: the last Lm/Lo/M of the upper run. `L+`
// takes only that one (what follows it is Lu/Lt or not a letter), so the
// match ends just after it, and what follows starts the next piece.
func lowerWord(text []byte, i int) int {
	end := span(text, i, caseUpper)
	if end < len(text) {
		if classAt(text[end:])&lower != 0 {
			end = span(text, end, caseLower)
			return end + contraction(text[end:])
		}
	}
	last := 0 // end of the last Lm/Lo/M of the upper run
	for j := i; j < end; {
		c, n := decode(text[j:])
		j += n
		if c&both != 0 {
			last = j
		}
	}
	if last == 0 {
		return 0
	}
	return last + contraction(text[last:])
}

// upperWord matches `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*`
// and an optional contraction at text[i:], and returns the end of the
// match, or 0. Nothing after the runs can fail, so both simply take all
// they can.
func upperWord(text []byte, i int) int {
	end := span(text, i, caseUpper)
	if end == i {
		return 0
	}
	end = span(text, end, caseLower)
	return end + contraction(text[end:])
}
