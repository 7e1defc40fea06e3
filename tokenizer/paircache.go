package tokenizer

import (
	"math/bits"
	"sync"
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
// (A fuller table was tried first: every token's cuts into two tokens,
// (left, right) -> token, built at load, so that no pair needs the bytes.
// Building it made loading cl100k_base and o200k_base 5-10x slower, it
// took 4 and 8 MB, and as it is as large as the vocab's own table its
// probes miss the cache just as often: merging got 0-15% faster, where
// this cache gives 30-50%.)

// pairCache is a direct-mapped cache from a pair of token IDs to the rank
// of the token they join into (noRank if none). Each encoding call starts
// with an empty one, so no call's speed or result depends on another's,
// memory stays bounded, and nothing is shared between goroutines. The
// memory itself is reused from call to call (see cachePool): allocating
// 128 KB per call would make the garbage collector run often, and each run
// scans the whole heap.
type pairCache struct {
	slots []pairSlot
	shift uint // slot index = hash >> shift
}

// pairSlot is one remembered answer; key 0 marks an empty slot.
type pairSlot struct {
	key  uint64 // (left+1)<<32 | right: never 0
	rank int32
}

// Cache sizes: at most maxPairCache slots (16 bytes each: 128 KB, which
// fits a core's L2 cache), fewer for short texts, which could not fill it.
const (
	minPairCache = 1 << 8
	maxPairCache = 1 << 13
)

// cachePool holds the memory of pair caches between calls.
var cachePool = sync.Pool{New: func() any { return new([maxPairCache]pairSlot) }}

// newPairCache returns an empty cache sized for a text of n bytes. Give it
// back with release when the call is done.
func newPairCache(n int) *pairCache {
	size := min(max(n, minPairCache), maxPairCache)
	b := bits.Len(uint(size - 1)) // size rounded up to a power of two is 1<<b
	mem := cachePool.Get().(*[maxPairCache]pairSlot)
	slots := mem[:1<<b]
	clear(slots) // empty: nothing from an earlier call
	return &pairCache{slots: slots, shift: uint(64 - b)}
}

// release returns the cache's memory to the pool; c must not be used after.
func (c *pairCache) release() {
	cachePool.Put((*[maxPairCache]pairSlot)(c.slots[:maxPairCache]))
	c.slots = nil
}

// pairKey packs two token IDs into a cache key.
func pairKey(left, right int32) uint64 { return uint64(left+1)<<32 | uint64(uint32(right)) }

// slot returns where key's answer is kept. The multiply is Fibonacci
// hashing: the product's top bits, which pick the slot, depend on every
// bit of the key.
func (c *pairCache) slot(key uint64) *pairSlot {
	return &c.slots[(key*0x9E3779B97F4A7C15)>>c.shift] // 2^64 / golden ratio
}
