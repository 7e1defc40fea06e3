package bpe

import (
	"fmt"

	"github.com/tick-llm/tick/tokenizer"
)

// A rank file stores only tokens and ranks, not the merges that made them.
// They can be recovered (minbpe's recover_merges): a token of rank r was
// made by merging two tokens that existed before it, so byte-pair merging
// its bytes using only ranks below r stops at exactly those two parts.
//
// Both Explain and MergeTree run the encoder's own plain merge loop,
// tokenizer's Encoding.MergeSteps, with a trace of each join: what they show
// is what the encoder is tested to do, not a second copy of it.

// Node is a token in a merge tree: a single byte (a leaf), or the token made
// by merging its Parts.
type Node struct {
	ID    int    // token ID, which for a mergeable token is also its rank
	Bytes []byte // the token's bytes
	// Parts are the tokens merged to make this one, left to right: two for a
	// token learned by BPE, none for a single byte. A rank file not made by
	// BPE training can hold a token that merging cannot reach in two parts;
	// then Parts holds where merging stopped (more than two).
	Parts []*Node
}

// MaxExplainBytes is the longest piece (or token) Explain and MergeTree
// take. Showing merges step by step rescans the piece at every step, which
// takes time quadratic in its length; real pieces and tokens are far shorter.
const MaxExplainBytes = 4096

// MergeTree recovers how token id of enc was built, down to single bytes.
func MergeTree(enc *tokenizer.Encoding, id int) (*Node, error) {
	b, err := enc.TokenBytes(id)
	if err != nil {
		return nil, fmt.Errorf("merge tree: %w", err)
	}
	if r, ok := enc.Rank(b); !ok || r != id {
		return nil, fmt.Errorf("merge tree: token %d (%q) is a special token; it is not made by merging", id, b)
	}
	if len(b) > MaxExplainBytes {
		return nil, fmt.Errorf("merge tree: token %d is %d bytes long, more than the %d that can be shown", id, len(b), MaxExplainBytes)
	}
	return mergeTree(enc, b, id)
}

// mergeTree builds the tree of the token spelled by b, whose rank is rank:
// merging b with only the tokens older than it (ranks below rank) stops at
// the parts it was made of.
func mergeTree(enc *tokenizer.Encoding, b []byte, rank int) (*Node, error) {
	n := &Node{ID: rank, Bytes: b}
	if len(b) == 1 {
		return n, nil
	}
	at := 0
	for _, id := range enc.MergeSteps(b, rank, nil) {
		part, err := enc.TokenBytes(id)
		if err != nil {
			return nil, err
		}
		c, err := mergeTree(enc, b[at:at+len(part):at+len(part)], id)
		if err != nil {
			return nil, err
		}
		n.Parts = append(n.Parts, c)
		at += len(part)
	}
	return n, nil
}

// Piece is how one piece of text was encoded.
type Piece struct {
	Text  []byte                // the piece, as cut by the encoding's split pattern
	Steps []tokenizer.MergeStep // the merges in the order the encoder makes them
	// IDs are the tokens the piece ends up as, equal to what
	// enc.EncodeOrdinary gives for it.
	IDs []int
	// Lookup is set when the piece is itself a token that merging does not
	// reach. The encoder looks a whole piece up before merging, so it still
	// becomes that one token. Never so in tiktoken's own files or in a
	// vocabulary trained here; Llama 3's file has such tokens.
	Lookup bool
}

// Explain shows how enc encodes text: the text is cut into pieces by the
// encoding's split pattern, and each piece starts as single bytes that are
// merged step by step, the pair with the lowest rank first. Special tokens
// are not recognised (text spelling one is encoded as ordinary text, as
// EncodeOrdinary does). It is meant for short text: a piece longer than
// MaxExplainBytes is an error.
func Explain(enc *tokenizer.Encoding, text string) ([]Piece, error) {
	var out []Piece
	at := 0
	for _, p := range enc.Pattern().Split([]byte(text)) {
		if len(p) > MaxExplainBytes {
			return nil, fmt.Errorf("explain: the piece at byte %d is %d bytes long, more than the %d that can be shown step by step; explain a shorter text", at, len(p), MaxExplainBytes)
		}
		at += len(p)
		pc := Piece{Text: p}
		pc.IDs = enc.MergeSteps(p, enc.VocabSize(), func(s tokenizer.MergeStep) { pc.Steps = append(pc.Steps, s) })
		if r, ok := enc.Rank(p); ok && (len(pc.IDs) != 1 || pc.IDs[0] != r) {
			pc.Lookup = true
			pc.IDs = []int{r}
		}
		out = append(out, pc)
	}
	return out, nil
}
