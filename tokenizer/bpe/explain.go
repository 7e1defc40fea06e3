package bpe

import (
	"fmt"

	"github.com/tick-llm/tick/tokenizer"
)

// A rank file stores only tokens and ranks, not the merges that made them.
// They can be recovered (minbpe's recover_merges): a token of rank r was
// made by merging two tokens that existed before it, so byte-pair merging
// its bytes using only ranks below r stops at exactly those two parts.

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

// mergeTree builds the tree of the token spelled by b, whose rank is rank.
func mergeTree(enc *tokenizer.Encoding, b []byte, rank int) (*Node, error) {
	n := &Node{ID: rank, Bytes: b}
	if len(b) == 1 {
		return n, nil
	}
	parts, _, err := mergeBelow(enc, b, rank)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		c, err := mergeTree(enc, b[p.start:p.end:p.end], p.id)
		if err != nil {
			return nil, err
		}
		n.Parts = append(n.Parts, c)
	}
	return n, nil
}

// part is a span b[start:end] of the bytes being merged, with its token ID.
type part struct {
	start, end int
	id         int
}

// mergeBelow is tiktoken's byte-pair merge of b, restricted to ranks below
// limit: start from single bytes, then repeatedly join the adjacent pair
// whose joined bytes have the lowest rank (the leftmost on a tie), until no
// adjacent pair joins into a token of rank < limit. It returns the parts it
// stops at and every step on the way. Each step scans all pairs, so it takes
// time quadratic in len(b): fine for showing, not for encoding.
func mergeBelow(enc *tokenizer.Encoding, b []byte, limit int) ([]part, []Step, error) {
	parts := make([]part, len(b))
	for i := range b {
		r, ok := enc.Rank(b[i : i+1])
		if !ok {
			return nil, nil, fmt.Errorf("encoding %s has no token for byte %#02x, so it cannot encode every text", enc.Name(), b[i])
		}
		parts[i] = part{i, i + 1, r}
	}
	var steps []Step
	for len(parts) > 1 {
		best, bestRank := -1, limit
		for i := 0; i+1 < len(parts); i++ {
			if r, ok := enc.Rank(b[parts[i].start:parts[i+1].end]); ok && r < bestRank {
				best, bestRank = i, r
			}
		}
		if best < 0 {
			break
		}
		steps = append(steps, Step{Left: parts[best].id, Right: parts[best+1].id, Result: bestRank, Pos: best})
		parts[best] = part{parts[best].start, parts[best+1].end, bestRank}
		parts = append(parts[:best+1], parts[best+2:]...)
	}
	return parts, steps, nil
}

// Step is one merge while encoding a piece: the parts at positions Pos and
// Pos+1 (token IDs Left and Right) were joined into token Result.
type Step struct {
	Left, Right, Result int
	Pos                 int
}

// Piece is how one piece of text was encoded.
type Piece struct {
	Text  []byte // the piece, as cut by the encoding's split pattern
	Steps []Step // the merges in the order the encoder makes them
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
		parts, steps, err := mergeBelow(enc, p, enc.VocabSize())
		if err != nil {
			return nil, fmt.Errorf("explain: %w", err)
		}
		pc := Piece{Text: p, Steps: steps}
		for _, q := range parts {
			pc.IDs = append(pc.IDs, q.id)
		}
		if r, ok := enc.Rank(p); ok && (len(pc.IDs) != 1 || pc.IDs[0] != r) {
			pc.Lookup = true
			pc.IDs = []int{r}
		}
		out = append(out, pc)
	}
	return out, nil
}
