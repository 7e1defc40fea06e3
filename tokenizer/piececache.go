package tokenizer

import (
	"math/bits"
	"sync"
)

// Text repeats its words: a Russian text says "права" and "человек" again
// and again, a Greek one its articles, an Arabic one its prepositions, and
// each time the merger would redo the same joins. The piece cache
// remembers, for one encoding call, the tokens of pieces already merged,
// keyed by the piece's bytes: a repeated piece costs one hash (which the
// whole-piece lookup computes anyway), one read and one comparison.
//
// It cannot change an ID: merging depends on nothing but the piece's
// bytes, and a slot is only used when its bytes equal the piece's exactly
// (the hash only picks the slot). Unlike the pair cache (paircache.go)
// it starts empty in every call: its slots point into the caller's text,
// which must not be kept alive after the call. Its size is bounded: at
// most maxPieceCache slots, each holding a piece of at most maxCachedPiece
// bytes and pieceIDs tokens (longer pieces, which rarely repeat, are
// merged every time).
type pieceCache struct {
	slots []pieceSlot
	shift uint // slot index = hash >> shift
}

// pieceSlot is one remembered piece; an empty piece marks an empty slot.
type pieceSlot struct {
	piece []byte // the piece, a view of the text being encoded
	n     int32  // number of tokens
	ids   [pieceIDs]int32
}

const (
	maxCachedPiece = 64 // bytes
	pieceIDs       = 8  // tokens
	minPieceCache  = 1 << 6
	maxPieceCache  = 1 << 11 // 64 bytes a slot: 128 KB
)

// piecePool holds the memory of piece caches between calls.
var piecePool = sync.Pool{New: func() any { return new([maxPieceCache]pieceSlot) }}

// newPieceCache returns an empty cache sized for a text of n bytes (about
// one slot per 16 bytes). Give it back with release.
func newPieceCache(n int) *pieceCache {
	size := min(max(n/16, minPieceCache), maxPieceCache)
	b := bits.Len(uint(size - 1)) // size rounded up to a power of two is 1<<b
	mem := piecePool.Get().(*[maxPieceCache]pieceSlot)
	return &pieceCache{slots: mem[:1<<b], shift: uint(64 - b)}
}

// release empties the cache (its slots point into the caller's text,
// which must not be kept alive) and returns its memory to the pool.
func (c *pieceCache) release() {
	clear(c.slots)
	piecePool.Put((*[maxPieceCache]pieceSlot)(c.slots[:maxPieceCache]))
	c.slots = nil
}

// slot returns where the piece of hash h (hashKey) is kept.
func (c *pieceCache) slot(h uint64) *pieceSlot { return &c.slots[h>>c.shift] }

// get appends the remembered tokens of piece to out, if s holds them.
func (s *pieceSlot) get(piece []byte, out []int) ([]int, bool) {
	if len(s.piece) != len(piece) || string(s.piece) != string(piece) {
		return out, false
	}
	for _, id := range s.ids[:s.n] {
		out = append(out, int(id))
	}
	return out, true
}

// put remembers that piece merges to ids, if they fit.
func (s *pieceSlot) put(piece []byte, ids []int) {
	if len(piece) > maxCachedPiece || len(ids) > pieceIDs {
		return
	}
	s.piece, s.n = piece, int32(len(ids))
	for i, id := range ids {
		s.ids[i] = int32(id)
	}
}
