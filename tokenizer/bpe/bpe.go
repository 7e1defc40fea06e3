// Package bpe learns a byte-level BPE vocabulary from text and explains how
// the tokens of any vocabulary were built.
//
// Training starts from the 256 single bytes and repeats one step: count every
// adjacent pair of tokens in the training text, join the most frequent pair
// into a new token, and replace it everywhere. Text is first cut into pieces
// by a split pattern (package split) so that no pair spans two pieces; equal
// pieces are counted once, with their multiplicity.
//
// There are two trainers with identical results: TrainReference recounts all
// pairs after every merge and is written to be read (like Karpathy's minbpe,
// but for the tie-break below); Train keeps the counts up to date
// incrementally and picks the best pair from a priority queue, which makes
// it hundreds of times faster.
//
// # Tie-break
//
// When two pairs are equally frequent, the pair with the smaller left token
// ID wins, then the smaller right token ID. Both trainers use the same rule
// (function better), so they learn the same merges in the same order. The
// rule looks only at the pairs, never at where they occur, which is what
// lets Train count each distinct piece once, in any order.
//
// minbpe (github.com/karpathy/minbpe) breaks ties differently: its
// max(stats, key=stats.get) keeps, among equal counts, the pair it met first
// in the text. From the same text the two can learn different merges, and
// from the first tie on, different IDs. Its own test case shows it: on
// Wikipedia's example "aaabdaaabac" with 3 merges and no split pattern
// (split.None, minbpe's BasicTokenizer), both first join a+a into 256. Then
// a+b and 256+a occur twice each: tick takes a+b (left ID 97 < 256), as
// Wikipedia does (Y = ab); minbpe takes 256+a, which comes first in the
// text. The third merge is 256+257 in tick, 257+b in minbpe. The tokens
// differ ("ab" against "aaa"), but both encode the text as
// [258 100 258 97 99], which is all minbpe's test checks. On real text ties
// come soon: on the first 30 KB of Newton's Opticks with the cl100k pattern,
// the two part at merge 15.
//
// # Merges that spell an existing token
//
// A rank file (tiktoken's format) keys tokens by their bytes, so two tokens
// must never spell the same bytes; and an encoder working from a rank file
// joins any two adjacent parts whose bytes form a token, not only the pair
// that was learned. Could training learn "a"+"bc" after "ab"+"c" already made
// "abc"? Not when merges are replaced everywhere left to right, as both
// trainers and EncodeReplay do:
//
// Take any run of bytes that ends up covered by exactly two adjacent tokens
// P, Q. No token ever crossed the run's edges (tokens only grow), so inside
// the run the merges happened exactly as they would on the run's bytes alone:
// a left-to-right scan that matched a pair across an edge would have made a
// token crossing it. So how a run of bytes is split at step k depends on its
// bytes only. If the bytes of P+Q were already a token T, learned from a pair
// (A, B), then at T's step this run was split as A, B like every other copy
// of T's bytes, and became T; it could not be P, Q later.
//
// The same argument, applied to encoding any text, gives two facts: replaying
// the merges never leaves two adjacent parts that spell a token of an earlier
// step, and at T's step every two adjacent parts that spell T are A, B. An
// encoder working from the rank file merges whichever adjacent parts spell
// the lowest rank (leftmost first); by the two facts it makes the same merges
// as the replay in the same order, so the IDs are the same.
//
// The trainers still check each merge and return an error if it would spell
// an existing token; the tests train on text built to provoke it ("aaaa..."
// runs, "abababa", random two-letter text) and compare the rank-file
// encoding with the replay.
//
// # Small corpora
//
// If the text runs out of pairs before the vocabulary reaches
// Options.VocabSize, training stops early without an error: the returned
// Vocab is smaller than asked for (compare Vocab.Size with the request; the
// tick command prints a note).
package bpe

import (
	"errors"
	"fmt"

	"github.com/tick-llm/tick/tokenizer/split"
)

// Options says what to train.
type Options struct {
	// VocabSize is the number of mergeable tokens wanted: the 256 bytes plus
	// VocabSize-256 merges. Special tokens come on top.
	VocabSize int
	// Pattern cuts the text into pieces before counting pairs; split.None
	// trains on the text as one piece.
	Pattern split.Pattern
	// Special lists special tokens such as "<|endoftext|>". They get the IDs
	// right after the mergeable tokens, in this order.
	Special []string
	// Progress, if not nil, is called after each merge with the number of
	// merges done and the number asked for (VocabSize-256).
	Progress func(done, total int)
}

// MinVocabSize is the smallest vocabulary: one token for each byte value, so
// that any byte string can be encoded.
const MinVocabSize = 256

// ErrEmptyCorpus is returned when the training text is empty.
var ErrEmptyCorpus = errors.New("training text is empty: give a file with some text in it")

// Merge is one learned merge: tokens Left and Right joined into token ID
// (ID = 256 + the merge's index).
type Merge struct {
	Left, Right, ID int
}

// Vocab is a trained vocabulary.
type Vocab struct {
	// Pattern is the split pattern the vocabulary was trained with, and must
	// be encoded with.
	Pattern split.Pattern
	// Merges in the order they were learned.
	Merges []Merge
	// Tokens[id] is the byte string of mergeable token id: Tokens[b] = {b}
	// for the 256 bytes, then one token per merge. The ID is also its rank.
	Tokens [][]byte
	// Special maps each special token to its ID (after all mergeable IDs).
	Special map[string]int
}

// Size is the number of mergeable tokens (bytes plus merges), not counting
// special tokens. It is less than Options.VocabSize when the training text
// ran out of pairs.
func (v *Vocab) Size() int { return len(v.Tokens) }

// Ranks returns the mergeable tokens keyed by their bytes, as a tiktoken
// rank file stores them.
func (v *Vocab) Ranks() map[string]int {
	ranks := make(map[string]int, len(v.Tokens))
	for id, t := range v.Tokens {
		ranks[string(t)] = id
	}
	return ranks
}

// pair is two adjacent tokens.
type pair struct{ left, right int }

// better reports whether pair a with count ca should be merged before pair b
// with count cb: the higher count wins, then the smaller left ID, then the
// smaller right ID. It is the one tie-break both trainers share.
func better(ca int, a pair, cb int, b pair) bool {
	if ca != cb {
		return ca > cb
	}
	if a.left != b.left {
		return a.left < b.left
	}
	return a.right < b.right
}

// check validates the options and the text, for both trainers.
func (o Options) check(text []byte) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if len(text) == 0 {
		return ErrEmptyCorpus
	}
	return nil
}

// Validate reports what is wrong with the options, if anything: a vocabulary
// smaller than MinVocabSize, or a special token that is empty or listed
// twice. The trainers call it; a command line can call it before reading a
// large file.
func (o Options) Validate() error {
	if o.VocabSize < MinVocabSize {
		return fmt.Errorf("vocab size %d is too small: it must be at least %d (one token per byte value)", o.VocabSize, MinVocabSize)
	}
	seen := map[string]bool{}
	for i, s := range o.Special {
		if s == "" {
			return fmt.Errorf("special token %d is empty: give each special token some text, e.g. <|endoftext|>", i+1)
		}
		if seen[s] {
			return fmt.Errorf("special token %q is given twice: list each special token once", s)
		}
		seen[s] = true
	}
	return nil
}

// newVocab starts a vocabulary with the 256 single bytes.
func newVocab(o Options) *Vocab {
	// No room is reserved for VocabSize tokens: a huge request on a small
	// text stops early and must not allocate for tokens never learned.
	v := &Vocab{Pattern: o.Pattern, Tokens: make([][]byte, 256)}
	for b := range 256 {
		v.Tokens[b] = []byte{byte(b)}
	}
	return v
}

// addMerge records the merge of p as a new token and returns its ID.
func (v *Vocab) addMerge(p pair) int {
	id := len(v.Tokens)
	t := make([]byte, 0, len(v.Tokens[p.left])+len(v.Tokens[p.right]))
	t = append(append(t, v.Tokens[p.left]...), v.Tokens[p.right]...)
	v.Tokens = append(v.Tokens, t)
	v.Merges = append(v.Merges, Merge{Left: p.left, Right: p.right, ID: id})
	return id
}

// finish gives the special tokens their IDs after the mergeable ones.
func (v *Vocab) finish(o Options) *Vocab {
	v.Special = make(map[string]int, len(o.Special))
	for i, s := range o.Special {
		v.Special[s] = len(v.Tokens) + i
	}
	return v
}

// errSpelled reports a merge that would spell an existing token. The package
// doc proves it cannot happen; the trainers check anyway, because a rank file
// cannot hold two tokens with the same bytes and a silently wrong vocabulary
// would be worse than an error.
func (v *Vocab) errSpelled(p pair) error {
	return fmt.Errorf("internal error: merge %d+%d spells %q, which is already a token; please report this with the training text", p.left, p.right, v.join(p))
}
