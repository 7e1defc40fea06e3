package tokenizer

import (
	"slices"
	"unicode/utf8"
)

// Byte-pair merging starts from one part per byte, so a Chinese character
// (3 bytes) costs two joins before it is the one token it nearly always
// ends as, and a Cyrillic letter (2 bytes) one. Those joins can be skipped
// (merging then starts from whole characters) when that cannot change the
// result. This file finds the characters for which it cannot, once, when
// the vocabulary loads.
//
// Take a character c whose bytes, merged alone, end as the single token c,
// and let intra(c) be the largest rank of the joins that merge makes. A
// merge of c's bytes inside a piece makes the same joins in the same order
// as alone, and before anything else touches c, if every token that could
// join a part of c with something outside c has a rank above intra(c):
//
//   - a token that starts with a proper suffix of c's bytes and goes on
//     into the next character (suffix: the partial character at a token's
//     start);
//   - a token that ends with a proper prefix of c's bytes after the end of
//     the previous character (prefix);
//   - a token that starts with all of c and goes on (first), or ends with
//     all of c after something before it (last).
//
// Why that suffices: as long as c is unfinished, one of c's own joins, of
// rank at most intra(c), is waiting, so the lowest-rank pair of the whole
// piece has a rank at most intra(c), and no pair listed above can be it
// (ranks are unique per token, and an inner token is never one of those).
// So no join ever takes in part of an unfinished character, and every join
// between finished parts picks, among the pairs present, the same one the
// merge from whole characters would pick: the pairs that merge would have
// in addition involve a character still unfinished here, so their ranks
// exceed intra of that character, and so exceed the rank just picked.
// The characters therefore finish on their own, the joins between them
// happen in the same order, and the tokens are the same.
//
// Most pieces of text with spaces start with one (" word"), and most
// vocabularies have low-rank tokens of a space and a partial character
// (" \xd0"), so a piece's first character could rarely start whole. But
// a space and a character that are one token (" п") are tested the same
// way, as one unit, and may start whole at a piece's start (spacedStart):
// in o200k_base, 1,950 such pairs, which start most pieces of Russian,
// Arabic, Greek, Hindi, Korean and Tamil text.
//
// This holds for valid UTF-8 only (a stray continuation byte after c could
// form a token none of the four lists knows), so a piece that is not valid
// UTF-8 merges from bytes. A character that fails the test, or that is not
// one token, also starts from its bytes; the argument holds for every
// character that starts whole, whatever its neighbours do.
// TestCharStartMatchesBytes checks the result against the byte-level merge
// on every script and on random text; TestCharTableRule checks that the
// test rejects a character where skipping its joins would change an ID.

// charTable says, for each character, whether merging may start from it
// whole, by the neighbours it has in the piece. The tokens that start with
// a part of the character depend on the byte just after it (ASCII or the
// start of another multi-byte character: two kinds), those that end with
// a part of it on the exact byte just before it: a token with a space
// before a partial character (" \xe4", in every vocabulary) rules out
// starting whole after a space only, and one such as "า\xe0\xb8" (a Thai
// vowel, then the first two bytes of a Thai consonant) only after that
// vowel's last byte, not after every other Thai character.
type charTable struct {
	// index maps a rune below 0x10000 to its entry (-1: none); astral
	// does the same for the rest (emoji, rare CJK).
	index   []int32
	astral  map[rune]int32
	entries []charEntry
	count   int // characters that may start whole beside any neighbour
}

// charEntry is what the table knows of one character that is a token.
type charEntry struct {
	tok int32 // the character's token
	// before has bit k set if merging may start from the character whole
	// when the byte after it is of kind k (see afterKind); after has bit
	// y set if it may when the byte before it is y. With no byte on a side
	// (the piece starts or ends there) that side needs nothing.
	before uint8
	after  [4]uint64

	// spaced is the token of a space and then the character, if merging
	// may start from that pair whole at the start of a piece before a
	// byte of a kind in spacedBefore (-1: never). See spacedStart.
	spaced       int32
	spacedBefore uint8
}

// okAfter reports whether the character may start whole after byte y.
func (e *charEntry) okAfter(y byte) bool { return e.after[y>>6]&(1<<(y&63)) != 0 }

// okBefore reports whether it may start whole before a byte of kind k.
func (e *charEntry) okBefore(k int) bool { return k >= 0 && e.before&(1<<k) != 0 }

// spacedOkBefore reports whether a space and the character may start
// whole, as the token e.spaced, before a byte of kind k.
func (e *charEntry) spacedOkBefore(k int) bool { return k >= 0 && e.spacedBefore&(1<<k) != 0 }

// entry returns r's entry, nil if it has none.
func (c *charTable) entry(r rune) *charEntry {
	i := int32(-1)
	if uint32(r) < uint32(len(c.index)) {
		i = c.index[r]
	} else if j, ok := c.astral[r]; ok {
		i = j
	}
	if i < 0 {
		return nil
	}
	return &c.entries[i]
}

// partialKey packs a neighbour kind (0 or 1) and a partial character (1 to
// 3 bytes) into a map key.
func partialKey(kind int, b []byte) uint32 {
	k := uint32(kind)<<30 | uint32(len(b))<<24
	for i, x := range b {
		k |= uint32(x) << (8 * i)
	}
	return k
}

// charKey packs a neighbour kind and a whole character into a map key.
func charKey(kind int, c rune) uint32 { return uint32(kind)<<30 | uint32(c) }

// isCont reports whether b is a UTF-8 continuation byte (10xxxxxx).
func isCont(b byte) bool { return b&0xC0 == 0x80 }

// utf8Len is the length a UTF-8 character starting with lead byte b has
// (0 for a continuation byte or a byte that never starts a character).
func utf8Len(b byte) int {
	switch {
	case b < 0x80:
		return 1
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	}
	return 0
}

// beforeKind is the kind of the byte b just before a character: 0 ASCII,
// 1 the end of a multi-byte character, -1 impossible in valid UTF-8.
func beforeKind(b byte) int {
	switch {
	case b < 0x80:
		return 0
	case isCont(b):
		return 1
	}
	return -1
}

// afterKind is the kind of the byte b just after a character: 0 ASCII, 1
// the start of a multi-byte character, -1 impossible in valid UTF-8.
func afterKind(b byte) int {
	switch {
	case b < 0x80:
		return 0
	case utf8Len(b) >= 2:
		return 1
	}
	return -1
}

// newCharTable finds, for every character that is a token, beside which
// neighbours merging may start from it whole: one pass over the vocabulary
// records the lowest rank of the four kinds of token by neighbour kind,
// then each character's own merge (mergeAlone) gives the bounds.
func newCharTable(v *vocab) *charTable {
	lowest := func(m map[uint32]int32, k uint32, r int32) {
		if old, ok := m[k]; !ok || r < old {
			m[k] = r
		}
	}
	// byteRank is a token's rank with the byte before one of its parts.
	type byteRank struct {
		y byte
		r int32
	}
	suffix := map[uint32]int32{}      // (kind of byte after, partial character at a token's start) -> lowest rank
	first := map[uint32]int32{}       // (kind of byte after, whole character starting a longer token) -> lowest rank
	prefix := map[uint32][]byteRank{} // partial character at a token's end -> (byte before, rank)
	last := map[rune][]byteRank{}     // whole character ending a longer token -> (byte before, rank)
	firstSpaced := map[uint32]int32{} // (kind of byte after, whole character after a space starting a longer token) -> lowest rank
	var chars []int32                 // ranks of tokens that are one multi-byte character
	for r := 0; r < v.maxRankPlus1(); r++ {
		t := v.bytes(r)
		if len(t) < 2 {
			continue
		}
		rank := int32(r)
		if t[0] == ' ' {
			if n := utf8Len(t[1]); n >= 2 && len(t) > 1+n {
				if c, size := utf8.DecodeRune(t[1:]); size == n && c != utf8.RuneError {
					if k := afterKind(t[1+n]); k >= 0 {
						lowest(firstSpaced, charKey(k, c), rank)
					}
				}
			}
		}
		h := 0 // leading continuation bytes
		for h < len(t) && isCont(t[h]) {
			h++
		}
		if h == len(t) {
			continue // inside one character only (or no text at all)
		}
		if h > 0 {
			if k := afterKind(t[h]); h <= 3 && k >= 0 {
				lowest(suffix, partialKey(k, t[:h]), rank)
			}
		} else if n := utf8Len(t[0]); n >= 2 {
			if c, size := utf8.DecodeRune(t); size == n && c != utf8.RuneError {
				if len(t) == n {
					chars = append(chars, rank)
					continue // the character itself: no boundary inside
				}
				if k := afterKind(t[n]); k >= 0 {
					lowest(first, charKey(k, c), rank)
				}
			}
		}
		j := len(t) - 1 // the last byte that is not a continuation byte
		for j > 0 && isCont(t[j]) {
			j--
		}
		if j == 0 || beforeKind(t[j-1]) < 0 {
			continue // no boundary inside, or none valid UTF-8 can have
		}
		br := byteRank{t[j-1], rank}
		switch tail, n := t[j:], utf8Len(t[j]); {
		case n > len(tail):
			k := partialKey(0, tail)
			prefix[k] = append(prefix[k], br)
		case n >= 2 && n == len(tail):
			if c, size := utf8.DecodeRune(tail); size == n && c != utf8.RuneError {
				last[c] = append(last[c], br)
			}
		}
	}
	ct := &charTable{index: make([]int32, 0x10000), astral: map[rune]int32{}}
	for i := range ct.index {
		ct.index[i] = -1
	}
	// forbid clears in e.after every byte before that one of list's
	// tokens, of rank at most bound, has (bound -1: none).
	forbid := func(e *charEntry, list []byteRank, bound int32) {
		for _, br := range list {
			if bound >= 0 && br.r <= bound {
				e.after[br.y>>6] &^= 1 << (br.y & 63)
			}
		}
	}
	for _, rank := range chars {
		t := v.bytes(int(rank))
		m, ok := mergeAlone(v, t, rank)
		if !ok {
			continue
		}
		c, _ := utf8.DecodeRune(t)
		e := charEntry{tok: rank, after: [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}}
		forbid(&e, last[c], m.intra)
		for k := 1; k < len(t); k++ {
			forbid(&e, prefix[partialKey(0, t[:k])], m.prefix[k])
		}
		for kind := range 2 {
			ok := above(first, charKey(kind, c), m.intra)
			for k := 1; k < len(t); k++ {
				ok = ok && above(suffix, partialKey(kind, t[len(t)-k:]), m.suffix[k])
			}
			if ok {
				e.before |= 1 << kind
			}
		}
		e.spaced, e.spacedBefore = spacedStart(v, t, c, suffix, first, firstSpaced)
		if e.before == 3 && e.after == [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)} {
			ct.count++
		}
		if c < 0x10000 {
			ct.index[c] = int32(len(ct.entries))
		} else {
			ct.astral[c] = int32(len(ct.entries))
		}
		ct.entries = append(ct.entries, e)
	}
	return ct
}

// spacedStart finds whether merging may start from a space and the
// character c (bytes t) as one token, at the start of a piece: the token
// and the kinds of byte after it that allow it (-1, 0: never). It is the
// test of newCharTable for the pair, on its right side only, since nothing
// comes before a piece's first byte. The pair's last part, as it merges
// alone, is a piece of c, c itself, or all of it; the tokens that could
// take each of those into the next character must rank above the joins
// waiting at that time.
func spacedStart(v *vocab, t []byte, c rune, suffix, first, firstSpaced map[uint32]int32) (int32, uint8) {
	u := append([]byte{' '}, t...)
	su, ok := v.rank(u)
	if !ok {
		return -1, 0
	}
	m, ok := mergeAlone(v, u, int32(su))
	if !ok {
		return -1, 0
	}
	var kinds uint8
	for kind := range 2 {
		ok := above(firstSpaced, charKey(kind, c), m.intra)
		for k := 1; k < len(u); k++ {
			if k < len(t) {
				ok = ok && above(suffix, partialKey(kind, u[len(u)-k:]), m.suffix[k])
			} else { // the last part is c
				ok = ok && above(first, charKey(kind, c), m.suffix[k])
			}
		}
		if ok {
			kinds |= 1 << kind
		}
	}
	if kinds == 0 {
		return -1, 0
	}
	return int32(su), kinds
}

// above says every token of map m under key has a rank above bound
// (-1: no bound needed).
func above(m map[uint32]int32, key uint32, bound int32) bool {
	r, ok := m[key]
	return bound < 0 || !ok || r > bound
}

// aloneMerge is what merging one character's bytes alone shows (or a
// space's and a character's, for spacedStart).
type aloneMerge struct {
	// intra is the largest rank of the joins.
	intra int32
	// prefix[k] is the largest rank of the joins made while the first k
	// bytes of the character were its first part, from the join that made
	// that part to the one that ended it; -1 if there never was such a
	// part. suffix[k] is the same for the last k bytes as its last part.
	// While such a part exists, the next of those joins is waiting, so a
	// token joining the part with a neighbour loses to it if its rank is
	// higher: these are the bounds the tokens of the lists must exceed.
	prefix, suffix [utf8.UTFMax + 1]int32
}

// mergeAlone merges the bytes of t (the token of rank want) alone, by the
// plain algorithm, and records its joins (see aloneMerge); ok is false if
// the merge does not end as the single token want (Llama 3 has tokens that
// merging cannot reach).
func mergeAlone(v *vocab, t []byte, want int32) (m aloneMerge, ok bool) {
	var ranks []int32 // ranks[i] is the rank of join i+1
	var steps []MergeStep
	ids := mergeSteps(v, t, len(v.start), func(s MergeStep) {
		ranks = append(ranks, int32(s.Result))
		steps = append(steps, s)
	})
	if len(ids) != 1 || int32(ids[0]) != want {
		return m, false
	}
	m.intra = slices.Max(ranks)
	for k := range m.prefix {
		m.prefix[k], m.suffix[k] = -1, -1
	}
	// Replay the joins, following the first part (its length first, made
	// by join firstBorn) and the last one.
	lens := make([]int, len(t))
	for i := range lens {
		lens[i] = 1
	}
	first, firstBorn := 1, 0
	last, lastBorn := 1, 0
	for i, s := range steps {
		j := i + 1 // this is join j
		if s.Pos == 0 && first < len(t) {
			m.prefix[first] = max(m.prefix[first], slices.Max(ranks[firstBorn:j]))
			first, firstBorn = lens[0]+lens[1], j
		}
		if s.Pos+2 == len(lens) && last < len(t) {
			m.suffix[last] = max(m.suffix[last], slices.Max(ranks[lastBorn:j]))
			last, lastBorn = lens[s.Pos]+lens[s.Pos+1], j
		}
		lens[s.Pos] += lens[s.Pos+1]
		lens = slices.Delete(lens, s.Pos+1, s.Pos+2)
	}
	return m, true
}
