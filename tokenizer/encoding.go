package tokenizer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tick-llm/tick/tokenizer/split"
)

// Encoding is a complete tokenizer: a split pattern, mergeable ranks and
// special tokens. It is immutable after loading and safe for concurrent use.
type Encoding struct {
	name     string
	pattern  split.Pattern
	vocab    *vocab
	specials specialSet
	nVocab   int // max id + 1, specials included
	pairs    pairCaches
}

// SpecialMode says what Encode does with text that spells a special token
// such as "<|endoftext|>".
type SpecialMode int

const (
	// SpecialRaise (the default) makes such text an error that names the
	// token: text from users should not be able to inject control tokens.
	SpecialRaise SpecialMode = iota
	// SpecialAllow encodes such text as the special token's ID.
	SpecialAllow
	// SpecialOrdinary treats such text as ordinary text, merged like any other.
	SpecialOrdinary
)

// String returns the name ParseSpecialMode accepts.
func (m SpecialMode) String() string {
	switch m {
	case SpecialRaise:
		return "raise"
	case SpecialAllow:
		return "allow"
	case SpecialOrdinary:
		return "ordinary"
	}
	return fmt.Sprintf("SpecialMode(%d)", int(m))
}

// ParseSpecialMode turns "raise", "allow" or "ordinary" into a SpecialMode.
func ParseSpecialMode(s string) (SpecialMode, error) {
	switch strings.ToLower(s) {
	case "raise", "":
		return SpecialRaise, nil
	case "allow":
		return SpecialAllow, nil
	case "ordinary":
		return SpecialOrdinary, nil
	}
	return 0, fmt.Errorf("unknown special-token mode %q: use raise, allow or ordinary", s)
}

// New builds an Encoding from a map of mergeable ranks (token bytes -> rank),
// a split pattern and special tokens (text -> id). Every single byte must
// have a rank, since byte-level BPE starts from bytes, and special IDs must
// not collide with ranks or with each other.
func New(name string, ranks map[string]int, pattern split.Pattern, specials map[string]int) (*Encoding, error) {
	if len(ranks) == 0 {
		return nil, fmt.Errorf("encoding %s: no mergeable ranks", name)
	}
	// Lay the map out as rank lines in a fixed order, so errors are
	// reproducible.
	toks := slices.Collect(maps.Keys(ranks))
	slices.SortFunc(toks, func(a, b string) int { return ranks[a] - ranks[b] })
	var slab []byte
	lines := make([]rankLine, len(toks))
	for i, t := range toks {
		r := ranks[t]
		if r < 0 || r > maxRank {
			return nil, fmt.Errorf("encoding %s: token %q has rank %d, outside 0..%d", name, t, r, maxRank)
		}
		if t == "" {
			return nil, fmt.Errorf("encoding %s: the empty string cannot be a token", name)
		}
		lines[i] = rankLine{rank: r, off: len(slab), end: len(slab) + len(t), line: i + 1}
		slab = append(slab, t...)
	}
	v, err := newVocab(slab, lines)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", name, err)
	}
	return newEncoding(name, v, pattern, specials)
}

// newEncoding checks that v and specials fit together and assembles an
// Encoding.
func newEncoding(name string, v *vocab, pattern split.Pattern, specials map[string]int) (*Encoding, error) {
	for b := 0; b < 256; b++ {
		if _, ok := v.rank([]byte{byte(b)}); !ok {
			return nil, fmt.Errorf("encoding %s: byte 0x%02x has no rank; a byte-level BPE vocabulary needs all 256 single bytes", name, b)
		}
	}
	e := &Encoding{name: name, pattern: pattern, vocab: v, nVocab: v.maxRankPlus1()}
	s, err := newSpecialSet(specials, v)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", name, err)
	}
	e.specials = s
	for _, id := range specials {
		e.nVocab = max(e.nVocab, id+1)
	}
	return e, nil
}

// Name returns the encoding's name, such as "cl100k_base".
func (e *Encoding) Name() string { return e.name }

// Pattern returns the split pattern the encoding cuts text with.
func (e *Encoding) Pattern() split.Pattern { return e.pattern }

// VocabSize returns the largest token ID plus one, special tokens included:
// the number of rows an embedding table for this encoding needs.
func (e *Encoding) VocabSize() int { return e.nVocab }

// NumTokens returns the number of tokens, mergeable and special. It is
// VocabSize less the IDs no token has: the ranks a rank file skips, and
// the IDs between the last rank and the special tokens (cl100k_base has
// 100,261 tokens and a VocabSize of 100,277).
func (e *Encoding) NumTokens() int { return e.vocab.count + len(e.specials.byText) }

// Rank returns the mergeable rank of the token spelled exactly by token,
// if there is one. Special tokens are not mergeable and have no rank.
func (e *Encoding) Rank(token []byte) (int, bool) { return e.vocab.rank(token) }

// TokenBytes returns a copy of the bytes of token id, mergeable or special.
func (e *Encoding) TokenBytes(id int) ([]byte, error) {
	if b := e.vocab.bytes(id); len(b) > 0 {
		return slices.Clone(b), nil
	}
	if s, ok := e.specials.byID[id]; ok {
		return []byte(s), nil
	}
	return nil, e.unknownID(id)
}

// SpecialTokens returns a copy of the special tokens (text -> id).
func (e *Encoding) SpecialTokens() map[string]int { return maps.Clone(e.specials.byText) }

// IsSpecial reports whether id is a special token.
func (e *Encoding) IsSpecial(id int) bool {
	_, ok := e.specials.byID[id]
	return ok
}

func (e *Encoding) unknownID(id int) error {
	return fmt.Errorf("token id %d is not in encoding %s (valid ids are 0..%d)", id, e.name, e.nVocab-1)
}

// Decode returns the bytes that ids stand for. The result need not be valid
// UTF-8: a token can end in the middle of a character. An unknown id is an
// error.
func (e *Encoding) Decode(ids []int) ([]byte, error) {
	out := make([]byte, 0, len(ids)*4)
	for _, id := range ids {
		if b := e.vocab.bytes(id); len(b) > 0 {
			out = append(out, b...)
			continue
		}
		s, ok := e.specials.byID[id]
		if !ok {
			return nil, e.unknownID(id)
		}
		out = append(out, s...)
	}
	return out, nil
}
