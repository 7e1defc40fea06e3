package tokenizer

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// specialSet finds special tokens in text quickly: most text has none, so
// the search is a scan for their possible first bytes ('<' for all the
// built-ins), followed by lookups of the few possible lengths.
type specialSet struct {
	byText  map[string]int
	byID    map[int]string
	first   [256]bool // first bytes of special tokens
	only    int       // the one first byte all special tokens share, or -1
	lengths []int     // distinct lengths of special tokens, longest first
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
	return s, nil
}

// find returns the position, text and id of the first special token in
// text, or pos -1. When several special tokens start at the same place the
// longest wins.
func (s *specialSet) find(text string) (pos int, tok string, id int) {
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
