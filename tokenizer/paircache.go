package tokenizer

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// The merge loop asks one question over and over: "do the parts left and
// right, side by side, spell a token, and which?" The plain answer,
// vocab.rank, hashes the joined bytes and probes a table of megabytes,
// where nearly every probe is a trip to main memory. But text repeats the
// same pairs (a Chinese text uses a few thousand characters; a Russian one
// the same endings), and during merging every part is already a token, so
// the question can be keyed by the two token IDs: a small table remembers
// the answers already looked up, "no token" included, and a repeated pair
// costs one multiply and one read of memory that is likely in cache.
//
// A cache cannot change an ID: it only ever holds vocab.rank's own answer
// for exactly those two tokens, and bytes(left)+bytes(right) is the same
// string whenever the same two IDs meet.
//
// For the same reason an answer never goes stale: it holds for as long as
// the vocab does. So the caches belong to the Encoding and are handed from
// call to call (Encoding.pairs): a text in a language the encoder has met
// before finds most of its pairs answered, where a cache emptied for each
// call would send every first meeting of a pair to the vocab again (about
// 3,900 lookups in a 21 KB Russian text with o200k_base, each likely a
// trip to memory). A call takes a cache for itself and gives it back when
// it is done, so no two goroutines ever share one; the pool keeps one per
// goroutine encoding at the time and lets the garbage collector take the
// idle ones, so memory stays bounded. Speed depends on what was encoded
// before, as with any cache (DropPairCaches times a first meeting); the
// IDs never do.
//
// (A fuller table was tried first: every token's cuts into two tokens,
// (left, right) -> token, built at load, so that no pair needs the bytes.
// Building it made loading cl100k_base and o200k_base 5-10x slower, it
// took 4 and 8 MB, and as it is as large as the vocab's own table its
// probes miss the cache just as often: merging got 0-15% faster, where
// this cache gives 30-50%.)

// pairCache is a direct-mapped cache from a pair of token IDs to the rank
// of the token they join into (noRank if none).
type pairCache struct {
	slots []pairSlot
	shift uint   // slot index = hash >> shift
	epoch uint64 // the pairCaches epoch its answers are from
}

// pairSlot is one remembered answer in 8 bytes, so that twice as many fit
// in the same cache lines as a struct of key and rank would: the pair's
// key (pairKey) with the rank in its low pairRankBits bits (pairNone for
// "no token"). 0 marks an empty slot.
type pairSlot uint64

// A key holds left+1 in its top pairIDBits bits and right below them,
// above the rank's bits. IDs up to 2^21 - 2 fit (o200k_base's largest is
// 200,018); an encoding with more tokens merges without the cache
// (newMerger).
const (
	pairIDBits   = 21
	pairRankBits = 22
	pairRankMask = 1<<pairRankBits - 1
	pairNone     = pairRankMask // the rank field of "these two do not join"
	maxPairID    = 1<<pairIDBits - 2
)

// Cache sizes: at most maxPairCache slots (8 bytes each: 256 KB, which
// fits a core's L2 cache); newPairCache makes smaller ones for tests.
// (Measured on package samples' Chinese, Russian, Tamil and Thai texts
// with o200k_base, builds side by side: 32,768 slots encoded 2-12% faster
// than 8,192, into which one text's pairs already collide.)
const (
	minPairCache = 1 << 8
	maxPairCache = 1 << 15
)

// newPairCache returns an empty cache with room for about n answers
// (between minPairCache and maxPairCache, a power of two).
func newPairCache(n int) *pairCache {
	size := min(max(n, minPairCache), maxPairCache)
	b := bits.Len(uint(size - 1)) // size rounded up to a power of two is 1<<b
	return &pairCache{slots: make([]pairSlot, 1<<b), shift: uint(64 - b)}
}

// pairCaches is an Encoding's pool of pair caches (see above).
type pairCaches struct {
	pool  sync.Pool
	epoch atomic.Uint64 // DropPairCaches counts up; a cache of an earlier epoch is emptied before use
}

// take returns a cache for one call: one that an earlier call gave back,
// its answers still good, or a new empty one.
func (c *pairCaches) take() *pairCache {
	epoch := c.epoch.Load()
	pc, _ := c.pool.Get().(*pairCache)
	if pc == nil {
		pc = newPairCache(maxPairCache)
		pc.epoch = epoch
	}
	if pc.epoch != epoch {
		clear(pc.slots)
		pc.epoch = epoch
	}
	return pc
}

// give returns a cache that take handed out.
func (c *pairCaches) give(pc *pairCache) { c.pool.Put(pc) }

// DropPairCaches forgets the pair ranks earlier calls looked up (see
// paircache.go), so that the next call starts with an empty cache as the
// first call of a process does: for timing a first meeting with a text.
// It never changes an ID, and it is safe to call while other goroutines
// encode (a call under way keeps its cache until it ends).
func (e *Encoding) DropPairCaches() { e.pairs.epoch.Add(1) }

// pairKey packs two token IDs (at most maxPairID) into a cache key.
func pairKey(left, right int32) uint64 {
	return uint64(left+1)<<(pairIDBits+pairRankBits) | uint64(right)<<pairRankBits
}

// slot returns where key's answer is kept. The multiply is Fibonacci
// hashing: the product's top bits, which pick the slot, depend on every
// bit of the key.
func (c *pairCache) slot(key uint64) *pairSlot {
	return &c.slots[(key*0x9E3779B97F4A7C15)>>c.shift] // 2^64 / golden ratio
}

// get returns the rank s remembers for key, and whether it remembers one.
func (s pairSlot) get(key uint64) (int32, bool) {
	if uint64(s)&^pairRankMask != key {
		return 0, false
	}
	if r := int32(s & pairRankMask); r != pairNone {
		return r, true
	}
	return noRank, true
}

// pairSlotOf is the slot remembering rank r (or noRank) for key.
func pairSlotOf(key uint64, r int32) pairSlot {
	if r == noRank {
		return pairSlot(key | pairNone)
	}
	return pairSlot(key | uint64(r))
}
