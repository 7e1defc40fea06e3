package tokenizer

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// specialSet finds special tokens in text: the first one, and where
// several start at the same byte the longest (see find).
//
// findPlain is the search to read first: a scan for the bytes special
// tokens can start with ('<' for all the built-ins), then at each one a
// lookup of every length a special token has. That is quick for a few
// special tokens of a few lengths, and slow for many: 2,000 special tokens
// of 2,000 lengths make 2,000 lookups at every '<'. find runs an
// Aho–Corasick automaton instead (acmatch.go), which reads each byte of the
// text once whatever the number of special tokens; a test checks that the
// two always agree.
type specialSet struct {
	byText  map[string]int
	byID    map[int]string
	first   [256]bool // first bytes of special tokens
	only    int       // the one first byte all special tokens share, or -1
	lengths []int     // distinct lengths of special tokens, longest first
	ac      *acMatcher

	hasSpace, hasNewline bool // some special token contains ' ' / '\n' (see CanCut)
}

func newSpecialSet(specials map[string]int, v *vocab) (specialSet, error) {
	s := specialSet{byText: maps.Clone(specials), byID: make(map[int]string, len(specials))}
	if s.byText == nil {
		s.byText = map[string]int{}
	}
	// Sorted so that the reported collision does not depend on map order.
	for _, text := range slices.Sorted(maps.Keys(specials)) {
		id := specials[text]
		if text == "" {
			return s, errors.New("a special token cannot be the empty string")
		}
		if id < 0 || id > maxRank {
			return s, fmt.Errorf("special token %q has id %d, outside 0..%d", text, id, maxRank)
		}
		if b := v.bytes(id); len(b) > 0 {
			return s, fmt.Errorf("special token %q has id %d, which is already the rank of mergeable token %q", text, id, b)
		}
		if prev, ok := s.byID[id]; ok {
			return s, fmt.Errorf("special tokens %q and %q share id %d", prev, text, id)
		}
		s.byID[id] = text
		s.first[text[0]] = true
		if !slices.Contains(s.lengths, len(text)) {
			s.lengths = append(s.lengths, len(text))
		}
	}
	slices.SortFunc(s.lengths, func(a, b int) int { return b - a })
	s.hasSpace, s.hasNewline = specialsContain(specials, " "), specialsContain(specials, "\n")
	s.only = -1
	for b := range 256 {
		if s.first[b] {
			if s.only != -1 {
				s.only = -1
				break
			}
			s.only = b
		}
	}
	s.ac = newACMatcher(slices.Collect(maps.Keys(s.byText)), s.first, s.only)
	return s, nil
}

// find returns the position, text and id of the first special token in
// text, or pos -1. When several special tokens start at the same place the
// longest wins.
//
// tiktoken finds them with a regular expression, the alternation of every
// special token (special_regex in its src/lib.rs), which takes the first
// alternative that matches at the leftmost place: when one special token
// is a prefix of another ("<|a" and "<|ab|>") which one wins there depends
// on the order of a hash map. No built-in encoding has such a pair, so
// there the two agree; tick's choice, the longest, does not depend on an
// order.
func (s *specialSet) find(text string) (pos int, tok string, id int) {
	if s.ac == nil {
		return -1, "", 0
	}
	pos, n := s.ac.find(text)
	if pos < 0 {
		return -1, "", 0
	}
	return pos, text[pos : pos+n], s.byText[text[pos:pos+n]]
}

// findPlain is find by lookups of every length at every possible start.
func (s *specialSet) findPlain(text string) (pos int, tok string, id int) {
	if len(s.byText) == 0 {
		return -1, "", 0
	}
	for i := 0; i < len(text); i++ {
		if s.only >= 0 {
			// One shared first byte ('<' for all the built-ins): jump to it
			// with the vectorised strings.IndexByte.
			j := strings.IndexByte(text[i:], byte(s.only))
			if j < 0 {
				return -1, "", 0
			}
			i += j
		} else if !s.first[text[i]] {
			continue
		}
		for _, n := range s.lengths {
			if i+n > len(text) {
				continue
			}
			if id, ok := s.byText[text[i:i+n]]; ok {
				return i, text[i : i+n], id
			}
		}
	}
	return -1, "", 0
}

// SpecialTokenError is returned by Encode in SpecialRaise mode when the text
// spells a special token. Its message names the Go options; a command line
// can use Token and Pos to name its own flags instead.
type SpecialTokenError struct {
	Token string // the special token's text, such as "<|endoftext|>"
	Pos   int    // byte offset in the text
}

func (e *SpecialTokenError) Error() string {
	return fmt.Sprintf("text contains special token %s at byte %d: encode with SpecialAllow to make it that token, or with SpecialOrdinary to encode it as plain text", e.Token, e.Pos)
}
