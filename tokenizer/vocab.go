package tokenizer

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"github.com/tick-llm/tick/internal/hugepage"
)

// vocab holds the mergeable tokens of an encoding in both directions:
// rank -> bytes (for decoding) and bytes -> rank (for merging).
//
// A Go map[string]int would do, and is how one would start. This table is
// built for the merge loop instead: the lookup key is a sub-slice of the
// input, so nothing is allocated, and all tokens share one byte slab, so
// loading o200k_base's 200k tokens is a handful of allocations rather than
// 200k strings.
type vocab struct {
	slab  []byte   // all token bytes, in rank order
	start []uint32 // the token of rank r is slab[start[r]:start[r+1]]; empty if no token has rank r
	count int      // number of tokens

	// slots is an open-addressing hash table (linear probing, at most half
	// full) from token bytes to rank. Most tokens are at most 8 bytes long,
	// so each slot keeps the first 8 bytes of its token inline: a lookup of
	// a short key touches one slot and nothing else, which matters because
	// the table is megabytes large and every probe is a likely cache miss.
	slots []slot
	shift uint // slot index = hash >> shift
	mask  uint64

	// filter is a Bloom filter of the tokens: each token sets three bits
	// of one word (see filterWord). The slots take megabytes, the filter
	// an eighth of that, so it is more often in cache; most strings the
	// merger asks about are not tokens, and a clear bit answers "no"
	// without touching the slots.
	filter     []uint64
	filterMask uint64 // word index = hash & filterMask

	// Shortcuts for the first step of every merge: the rank of each single
	// byte (-1 if none) and of each two-byte string (noRank if none).
	byteRank [256]int32
	pair2    [1 << 16]int32

	// chars says which characters merging may start from whole instead
	// of from their bytes (see chars.go).
	chars *charTable
}

// newVocab builds a vocab from parsed rank lines whose bytes live in slab.
// It rejects two tokens with the same rank and a token listed twice.
func newVocab(slab []byte, lines []rankLine) (*vocab, error) {
	if !slices.IsSortedFunc(lines, func(a, b rankLine) int { return a.rank - b.rank }) {
		lines = slices.Clone(lines)
		slices.SortStableFunc(lines, func(a, b rankLine) int { return a.rank - b.rank })
	}
	maxR := lines[len(lines)-1].rank
	v := &vocab{start: make([]uint32, maxR+2), count: len(lines)}

	// Lay the tokens out in rank order, so rank -> bytes is two array
	// reads; holes in the ranks get empty tokens.
	v.slab = make([]byte, 0, len(slab))
	r := 0
	for i, l := range lines {
		if i > 0 && l.rank == lines[i-1].rank {
			return nil, fmt.Errorf("line %d: rank %d already used on line %d; each rank must appear once", l.line, l.rank, lines[i-1].line)
		}
		for ; r <= l.rank; r++ {
			v.start[r] = uint32(len(v.slab))
		}
		v.slab = append(v.slab, slab[l.off:l.end]...)
	}
	v.start[maxR+1] = uint32(len(v.slab))

	// A table at most half full keeps probe sequences short.
	bitsN := bits.Len(uint(2*len(lines) - 1))
	if bitsN < 4 {
		bitsN = 4
	}
	// The table is megabytes large and every lookup lands on a random
	// slot, so with 4 KB pages nearly every first lookup also misses the
	// TLB (o200k_base's 8 MB span 2,048 pages, about what a core's
	// second-level TLB holds). On huge pages, where the kernel gives them,
	// a text's first meeting with o200k_base encoded 3-17% faster and a
	// text met before 5-9% (tick bench tokenizer --scripts all).
	v.slots = hugepage.Aligned[slot](1 << bitsN)
	v.shift = uint(64 - bitsN)
	v.mask = uint64(len(v.slots) - 1)
	// Four bits per slot, eight per token or more. With three bits per
	// token in one word, about one string in fifty that is not a token
	// gets past the filter, against one in ten with one bit (measured on
	// package samples with o200k_base); each string that gets past costs
	// a probe of the slots, a likely trip to main memory.
	v.filter = make([]uint64, max(len(v.slots)*4/64, 1))
	v.filterMask = uint64(len(v.filter) - 1)
	for _, l := range lines {
		if prev, dup := v.insert(l.rank); dup {
			prevLine := 0
			for _, p := range lines {
				if p.rank == prev {
					prevLine = p.line
				}
			}
			return nil, fmt.Errorf("line %d: token %q appears twice (also line %d); each token must appear once", l.line, v.bytes(l.rank), prevLine)
		}
	}
	for i := range v.byteRank {
		v.byteRank[i] = -1
	}
	for i := range v.pair2 {
		v.pair2[i] = noRank
	}
	for _, l := range lines {
		switch tok := v.bytes(l.rank); len(tok) {
		case 1:
			v.byteRank[tok[0]] = int32(l.rank)
		case 2:
			v.pair2[uint16(tok[0])<<8|uint16(tok[1])] = int32(l.rank)
		}
	}
	v.chars = newCharTable(v)
	return v, nil
}

// insert adds the token of rank r to the hash table, unless the same bytes
// are there already, in which case it returns their rank and true.
func (v *vocab) insert(r int) (prev int, dup bool) {
	tok := v.bytes(r)
	k := load8(tok)
	meta := uint64(len(tok))<<32 | uint64(r+1)
	h := hashKey(k, tok)
	w, bits := v.filterWord(h)
	*w |= bits
	for i := h >> v.shift; ; i = (i + 1) & v.mask {
		s := &v.slots[i]
		if s.meta == 0 {
			*s = slot{key: k, meta: meta}
			return 0, false
		}
		if s.key == k && s.meta>>32 == uint64(len(tok)) {
			if p := int(uint32(s.meta)) - 1; string(v.bytes(p)) == string(tok) {
				return p, true
			}
		}
	}
}

// maxRankPlus1 is one more than the largest rank.
func (v *vocab) maxRankPlus1() int { return len(v.start) - 1 }

// bytes returns the token of rank r (empty if there is none). The result
// aliases the vocab and must not be modified.
func (v *vocab) bytes(r int) []byte {
	if r < 0 || r+1 >= len(v.start) {
		return nil
	}
	return v.slab[v.start[r]:v.start[r+1]:v.start[r+1]]
}

// slot is one entry of the hash table.
type slot struct {
	key  uint64 // the token's first 8 bytes, little-endian, zero-padded
	meta uint64 // len(token)<<32 | (rank+1); 0 marks an empty slot
}

// rank looks up the rank of the token spelled exactly by b.
func (v *vocab) rank(b []byte) (int, bool) {
	k := load8(b)
	return v.find(b, k, hashKey(k, b))
}

// lookup is rank for the merger: it asks the filter first, which answers
// most strings that are not tokens from cache. It gives rank's answer
// (a test proves it on every token and on strings that are not).
func (v *vocab) lookup(b []byte) (int, bool) {
	k := load8(b)
	return v.lookupHashed(b, k, hashKey(k, b))
}

// lookupHashed is lookup for b, its first bytes k (load8) and its hash h
// (hashKey), for a caller that needs the hash too.
func (v *vocab) lookupHashed(b []byte, k, h uint64) (int, bool) {
	if w, bits := v.filterWord(h); *w&bits != bits {
		return 0, false
	}
	return v.find(b, k, h)
}

// filterWord returns the filter word of hash h and the bits a token of
// that hash sets in it. The word is picked by the hash's low bits and the
// three bits by bits 24 to 41 (the slots use the top ones). One word, so
// a lookup reads one cache line however many bits it checks.
func (v *vocab) filterWord(h uint64) (*uint64, uint64) {
	x := h >> 24
	return &v.filter[h&v.filterMask], 1<<(x&63) | 1<<(x>>6&63) | 1<<(x>>12&63)
}

// find is rank for b, its first bytes k (load8) and its hash h (hashKey).
func (v *vocab) find(b []byte, k, h uint64) (int, bool) {
	want := uint64(len(b)) << 32
	for i := h >> v.shift; ; i = (i + 1) & v.mask {
		s := &v.slots[i]
		if s.meta == 0 {
			return 0, false
		}
		if s.key == k && s.meta&^0xffffffff == want {
			r := int(uint32(s.meta)) - 1
			// Longer tokens compare their tail in the slab; string(x) ==
			// string(y) compares without allocating.
			if len(b) <= 8 || string(v.slab[v.start[r]+8:v.start[r+1]]) == string(b[8:]) {
				return r, true
			}
		}
	}
}

// load8 returns the first (up to) 8 bytes of b as a little-endian number,
// zero-padded.
func load8(b []byte) uint64 {
	switch n := len(b); {
	case n >= 8:
		return binary.LittleEndian.Uint64(b)
	case n >= 4:
		// Two overlapping 4-byte reads cover 4..7 bytes; shift the second
		// so its bytes land in their own positions.
		lo := uint64(binary.LittleEndian.Uint32(b))
		hi := uint64(binary.LittleEndian.Uint32(b[n-4:]))
		return lo | hi<<(8*(n-4))
	case n > 0:
		x := uint64(b[0])
		if n > 1 {
			x |= uint64(b[1]) << 8
		}
		if n > 2 {
			x |= uint64(b[2]) << 16
		}
		return x
	}
	return 0
}

// hashKey hashes a token from its first 8 bytes k (see load8), its length,
// and for longer tokens the rest of its bytes.
func hashKey(k uint64, b []byte) uint64 {
	const m = 0x9E3779B97F4A7C15 // 2^64 / golden ratio
	h := (k ^ uint64(len(b))<<58) * m
	for b := b[min(len(b), 8):]; len(b) > 0; {
		var x uint64
		if len(b) >= 8 {
			x, b = binary.LittleEndian.Uint64(b), b[8:]
		} else {
			x, b = load8(b), nil
		}
		h = (h ^ h>>32 ^ x) * m
	}
	h ^= h >> 29
	h *= m
	return h ^ h>>32
}
