package tokenizer

import (
	"math/bits"
	"slices"

	"github.com/tick-llm/tick/tokenizer/split"
)

// Byte-pair merging turns one piece (a word, a number, a run of spaces, as
// cut by the split pattern) into tokens:
//
//  1. If the whole piece is a token, that is the answer. (Llama 3 relies on
//     this: some of its tokens cannot be reached by merging.)
//  2. Otherwise start with one part per byte. Look at every adjacent pair of
//     parts; the pair whose joined bytes form the token of lowest rank is
//     joined. On equal ranks the leftmost pair goes first. Repeat until no
//     adjacent pair joins into a token.
//  3. Each remaining part is a token; their ranks are the IDs.
//
// This is tiktoken's byte_pair_merge. Note what it is not: it does not
// replay a list of merges in order (as GPT-2's original encoder.py did with
// "bpe_ranks"). It only asks "is the joined byte string a token, and of what
// rank?", which gives the same answer for vocabularies trained by BPE.

// mergeReference is the plain algorithm, written to be read: every round
// rescans every adjacent pair, so a piece of n bytes costs O(n^2) lookups.
// The encoder uses mergeFast; a test proves that they agree.
func mergeReference(v *vocab, piece []byte) []int {
	if r, ok := v.rank(piece); ok { // step 1
		return []int{r}
	}
	return mergeSteps(v, piece, len(v.start), nil) // steps 2 and 3
}

// MergeStep is one join of byte-pair merging: the parts at positions Pos and
// Pos+1, tokens Left and Right, became the one part Result.
type MergeStep struct {
	Left, Right, Result int
	Pos                 int
}

// mergeSteps is steps 2 and 3 of mergeReference, with two additions so that
// the same loop can show how merging works (see Encoding.MergeSteps): only
// tokens of rank below `below` are made, and trace, if not nil, is called
// with every join, in order.
func mergeSteps(v *vocab, piece []byte, below int, trace func(MergeStep)) []int {
	// Part i is piece[bounds[i]:bounds[i+1]] and is token ids[i]; every byte
	// is a token (newEncoding checks), so the parts start as the bytes.
	bounds := make([]int, len(piece)+1)
	ids := make([]int, len(piece))
	for i := range piece {
		bounds[i] = i
		ids[i], _ = v.rank(piece[i : i+1])
	}
	bounds[len(piece)] = len(piece)
	for {
		best, bestRank := -1, 0
		for i := 0; i+1 < len(ids); i++ {
			joined := piece[bounds[i]:bounds[i+2]]
			if r, ok := v.rank(joined); ok && r < below && (best < 0 || r < bestRank) {
				best, bestRank = i, r
			}
		}
		if best < 0 {
			return ids // no adjacent pair is a token: done
		}
		if trace != nil {
			trace(MergeStep{Left: ids[best], Right: ids[best+1], Result: bestRank, Pos: best})
		}
		// Join parts best and best+1.
		ids[best] = bestRank
		ids = slices.Delete(ids, best+1, best+2)
		bounds = slices.Delete(bounds, best+1, best+2)
	}
}

// MergeSteps byte-pair merges piece with the plain algorithm that the
// encoder is tested against, calls trace (if not nil) with each join in
// order, and returns the tokens where merging stops. It is for showing how
// encoding works (package bpe's Explain and MergeTree use it):
//
//   - Unlike Encode it does not first look the whole piece up, so it shows
//     how merging reaches a piece that is itself a token, or that it does
//     not (some of Llama 3's tokens cannot be reached).
//   - Only tokens of rank below `below` are made. Pass VocabSize() to allow
//     all; pass a token's own rank to ask which older tokens it was made of.
//
// Every round rescans the piece, so the time is quadratic in len(piece).
func (e *Encoding) MergeSteps(piece []byte, below int, trace func(MergeStep)) []int {
	return mergeSteps(e.vocab, piece, below, trace)
}

// noRank marks "this pair does not join into a token"; it is larger than
// every real rank, so minimum searches skip it naturally.
const noRank = int32(1<<31 - 1)

// Which merger a piece gets (measured on every script of package samples
// and on English and Go: the boundaries are where the faster one changes,
// and results do not depend on them):
//
//   - up to smallPiece parts to start from (bytes, or whole characters,
//     see startParts), mergeSmall: a linear scan over a few cached ranks
//     beats any tree (most English, Go and Cyrillic pieces);
//   - up to treePiece bytes, mergeTree (Chinese, Japanese and Thai
//     sentences are often single pieces of 50 to 300 bytes);
//   - longer, mergeLarge, whose queue suits a megabyte of spaces better.
const (
	smallPiece = 16
	treePiece  = 4096
)

// merger holds the scratch space of one encoding call, so that merging
// allocates nothing per piece. It is not shared between goroutines.
type merger struct {
	e *Encoding
	v *vocab

	// cache remembers pair ranks; it is taken from the Encoding's caches on
	// first use (see paircache.go). noCache turns it off, for tests and
	// benchmarks that compare with and without.
	cache   *pairCache
	noCache bool

	// pieces remembers the tokens of the call's pieces (see pieceCache),
	// made on first use and sized by sizeHint (the text's length);
	// noPieceCache turns it off.
	pieces       *pieceCache
	sizeHint     int
	noPieceCache bool

	// noChars makes merging start from bytes only, never from whole
	// characters (see chars.go), for the tests that compare the two.
	noChars bool

	// The parts merging starts from (see startParts): part i is
	// piece[off[i]:off[i+1]], token ptok[i].
	off, ptok []int32

	// mergeSmall: part i starts at start[i]; rank[i] is the rank of
	// joining part i and part i+1 (noRank if that is not a token); tok[i]
	// is part i's own token.
	start, rank, tok [smallPiece + 2]int32

	// mergeLarge: a doubly linked list of parts indexed by their start
	// offset, and a queue of candidate joins.
	next, prev []int32
	lrank      []int32
	ltok       []int32
	queue      joinQueue
	tree       []uint64 // mergeTree's tournament tree
}

// mergeFast appends the tokens of piece to out. It gives exactly the result
// of mergeReference.
func (m *merger) mergeFast(piece []byte, out []int) []int {
	switch len(piece) {
	case 0:
		return out
	case 1: // every byte is a token
		return append(out, int(m.v.byteRank[piece[0]]))
	case 2: // a small table, usually in cache, answers most short pieces
		if r := m.v.pair2[uint16(piece[0])<<8|uint16(piece[1])]; r != noRank {
			return append(out, int(r))
		}
		return append(out, int(m.v.byteRank[piece[0]]), int(m.v.byteRank[piece[1]]))
	}
	k := load8(piece)
	h := hashKey(k, piece)
	if r, ok := m.v.lookupHashed(piece, k, h); ok {
		return append(out, r)
	}
	if len(piece) > maxCachedPiece || m.noPieceCache {
		return m.mergeParts(piece, out)
	}
	if m.pieces == nil {
		m.pieces = newPieceCache(m.sizeHint)
	}
	s := m.pieces.slot(h)
	if out, ok := s.get(piece, out); ok {
		return out
	}
	n0 := len(out)
	out = m.mergeParts(piece, out)
	s.put(piece, out[n0:])
	return out
}

// mergeParts merges a piece of 3 or more bytes that is not itself a token.
func (m *merger) mergeParts(piece []byte, out []int) []int {
	if len(piece) > treePiece {
		return m.mergeLarge(piece, out)
	}
	if n := m.startParts(piece); n <= smallPiece {
		return m.mergeSmallParts(piece, n, out)
	} else {
		return m.mergeTreeParts(piece, n, out)
	}
}

// startParts cuts piece into the parts merging starts from and returns
// their number: one per byte, except that a character chars.go allows
// beside its neighbours is one part, its token, from the start. A piece
// that is not valid UTF-8 starts from bytes only. Parts are kept in m.off
// and m.ptok; off[n] is len(piece).
func (m *merger) startParts(piece []byte) int32 {
	n := len(piece)
	m.off = grow(m.off, n+1)
	m.ptok = grow(m.ptok, n)
	off, tok := m.off[:n+1], m.ptok[:n]
	p, i := 0, 0
	if piece[0] == ' ' && n > 2 && piece[1] >= 0x80 && !m.noChars {
		// A piece that starts with a space and a character may start from
		// the two as one token (see charEntry.spaced).
		r, size := split.DecodeRune(piece[1:])
		if e := m.v.chars.entry(r); size > 1 && e != nil && e.spaced >= 0 && (1+size == n || e.spacedOkBefore(afterKind(piece[1+size]))) {
			off[0], tok[0] = 0, e.spaced
			p, i = 1, 1+size
		}
	}
	for i < n {
		b := piece[i]
		if b < 0x80 || m.noChars {
			off[p], tok[p] = int32(i), m.v.byteRank[b]
			p, i = p+1, i+1
			continue
		}
		r, size := split.DecodeRune(piece[i:])
		if size == 1 {
			return m.byteParts(piece) // not valid UTF-8
		}
		e := m.v.chars.entry(r)
		if e != nil && (i == 0 || e.okAfter(piece[i-1])) && (i+size == n || e.okBefore(afterKind(piece[i+size]))) {
			off[p], tok[p] = int32(i), e.tok
			p, i = p+1, i+size
			continue
		}
		for end := i + size; i < end; i++ {
			off[p], tok[p] = int32(i), m.v.byteRank[piece[i]]
			p++
		}
	}
	off[p] = int32(n)
	return int32(p)
}

// byteParts is startParts with one part per byte.
func (m *merger) byteParts(piece []byte) int32 {
	n := len(piece)
	off, tok := m.off[:n+1], m.ptok[:n]
	for i, b := range piece {
		off[i], tok[i] = int32(i), m.v.byteRank[b]
	}
	off[n] = int32(n)
	return int32(n)
}

// pairRank returns the rank of piece[a:b] as a token, or noRank; the
// tokens left and right spell piece[a:b] between them. Two single bytes
// are looked up in a small table; longer pairs go through the pair cache
// (see pairCache), keyed by the two IDs, and on a miss to the vocab.
func (m *merger) pairRank(piece []byte, a, b int32, left, right int32) int32 {
	if b-a == 2 {
		return m.v.pair2[uint16(piece[a])<<8|uint16(piece[a+1])]
	}
	if m.noCache {
		if r, ok := m.v.rank(piece[a:b]); ok {
			return int32(r)
		}
		return noRank
	}
	if m.cache == nil {
		m.cache = m.e.pairs.take()
	}
	key := pairKey(left, right)
	s := m.cache.slot(key)
	if r, ok := s.get(key); ok {
		return r
	}
	r := noRank
	if rr, ok := m.v.lookup(piece[a:b]); ok {
		r = int32(rr)
	}
	*s = pairSlotOf(key, r)
	return r
}

// mergeSmall is the reference algorithm with two savings: the rank of each
// adjacent pair is cached and only the two pairs touching a join are looked
// up again, and each part remembers its token so the end needs no lookups.
// (tiktoken's Rust core caches ranks the same way.) Still O(n^2), so it is
// only used for short pieces.
func (m *merger) mergeSmall(piece []byte, out []int) []int {
	return m.mergeSmallParts(piece, m.startParts(piece), out)
}

// mergeSmallParts is mergeSmall from the n <= smallPiece parts startParts
// left in m.off and m.ptok.
func (m *merger) mergeSmallParts(piece []byte, n int32, out []int) []int {
	start, rank, tok := m.start[:n+1], m.rank[:n+1], m.tok[:n]
	copy(start, m.off[:n+1])
	copy(tok, m.ptok[:n])
	end := start[n] // len(piece)
	for i := int32(0); i+1 < n; i++ {
		rank[i] = m.pairRank(piece, start[i], start[i+2], tok[i], tok[i+1])
	}
	rank[n-1] = noRank
	parts := n // number of parts; start[parts] == end
	for {
		best, bestRank := int32(-1), noRank
		for i := int32(0); i+1 < parts; i++ {
			if rank[i] < bestRank { // strict: the leftmost wins ties
				best, bestRank = i, rank[i]
			}
		}
		if best < 0 {
			break
		}
		// Join part best with part best+1: delete entry best+1.
		tok[best] = bestRank
		copy(start[best+1:parts], start[best+2:parts+1])
		copy(rank[best+1:parts-1], rank[best+2:parts])
		copy(tok[best+1:parts-1], tok[best+2:parts])
		parts--
		start[parts] = end
		if best+1 < parts {
			rank[best] = m.pairRank(piece, start[best], start[best+2], tok[best], tok[best+1])
		} else {
			rank[best] = noRank
		}
		if best > 0 {
			rank[best-1] = m.pairRank(piece, start[best-1], start[best+1], tok[best-1], tok[best])
		}
	}
	for i := int32(0); i < parts; i++ {
		out = append(out, int(tok[i]))
	}
	return out
}

// mergeLarge is the same algorithm in O(n log n) for long pieces (a
// megabyte of spaces is one piece). Parts form a linked list indexed by
// their start offset, and every candidate join has a key rank<<32 | start:
// the smallest key is the lowest rank, and among equal ranks the leftmost
// start, exactly the reference's choice. A joinQueue hands the keys out in
// that order. Joins make some queued candidates stale; rather than finding
// and removing them, a candidate is skipped when its part is gone or its
// rank has changed since.
func (m *merger) mergeLarge(piece []byte, out []int) []int {
	n := int32(len(piece))
	m.next = grow(m.next, int(n)+1)
	m.prev = grow(m.prev, int(n)+1)
	m.lrank = grow(m.lrank, int(n)+1)
	m.ltok = grow(m.ltok, int(n)+1)
	next, prev, rank, tok := m.next, m.prev, m.lrank, m.ltok
	q := &m.queue
	q.reset()
	for i := int32(0); i <= n; i++ {
		next[i], prev[i] = i+1, i-1 // node n is the end sentinel
		rank[i] = noRank
		if i < n {
			tok[i] = m.v.byteRank[piece[i]]
		}
	}
	for i := int32(0); i+1 < n; i++ {
		if r := m.v.pair2[uint16(piece[i])<<8|uint16(piece[i+1])]; r != noRank {
			rank[i] = r
			q.push(uint64(r)<<32 | uint64(i))
		}
	}
	for {
		key, ok := q.pop()
		if !ok {
			break
		}
		r, s := int32(key>>32), int32(uint32(key))
		if rank[s] != r {
			continue // stale: part s was joined away or changed since
		}
		// Join part s with the part after it.
		t := next[s]
		tok[s] = r
		next[s] = next[t]
		prev[next[t]] = s
		rank[t] = noRank // t is gone
		// The join changed two candidate pairs: (s, next) and (prev, s).
		if u := next[s]; u < n {
			rank[s] = m.pairRank(piece, s, next[u], tok[s], tok[u])
			if rank[s] != noRank {
				q.push(uint64(rank[s])<<32 | uint64(s))
			}
		} else {
			rank[s] = noRank
		}
		if p := prev[s]; p >= 0 {
			rank[p] = m.pairRank(piece, p, next[s], tok[p], tok[s])
			if rank[p] != noRank {
				q.push(uint64(rank[p])<<32 | uint64(p))
			}
		}
	}
	for s := int32(0); s < n; s = next[s] {
		out = append(out, int(tok[s]))
	}
	return out
}

// mergeTree is the same algorithm in O(n log n), with a tournament tree in
// place of mergeLarge's queue. Parts form a linked list indexed by their
// start offset, as there. Each start s has a leaf holding the key of
// joining part s with the next, rank<<32 | s (rank noRank if they do not
// join, or s is no longer a part); every inner node holds the smaller key
// of its two children, so the root is the smallest key: the lowest rank,
// and among equal ranks the leftmost start, exactly the reference's
// choice. A join changes three leaves, and each change walks up to the
// root: no stale entries, no sorting, and the tree of a typical piece
// (under a few hundred bytes) stays in the L1 cache.
func (m *merger) mergeTree(piece []byte, out []int) []int {
	if len(piece) == 0 {
		return out
	}
	return m.mergeTreeParts(piece, m.startParts(piece), out)
}

// mergeTreeParts is mergeTree from the n >= 1 parts startParts left in
// m.off and m.ptok. Parts are numbered 0..n-1 in order, so the leftmost
// of equal ranks is still the one with the smallest number.
func (m *merger) mergeTreeParts(piece []byte, n int32, out []int) []int {
	leaves := int32(1) << bits.Len32(uint32(n-1)) // a power of two >= n
	m.next = grow(m.next, int(n)+1)
	m.prev = grow(m.prev, int(n)+1)
	m.tree = grow64(m.tree, int(2*leaves))
	next, prev, off, tok, tree := m.next, m.prev, m.off[:n+1], m.ptok[:n], m.tree
	for i := int32(0); i <= n; i++ {
		next[i], prev[i] = i+1, i-1 // node n is the end sentinel
	}
	// Leaves: tree[leaves+s] for part s. Inner node i: children 2i, 2i+1.
	for s := int32(0); s < leaves; s++ {
		r := noRank
		if s+1 < n {
			r = m.pairRank(piece, off[s], off[s+2], tok[s], tok[s+1])
		}
		tree[leaves+s] = uint64(r)<<32 | uint64(s)
	}
	for i := leaves - 1; i > 0; i-- {
		tree[i] = min(tree[2*i], tree[2*i+1])
	}
	// set gives part s the join rank r and updates its ancestors: node c's
	// parent is c/2 and its sibling c^1. It stops where a node does not
	// change, since then none above it does. k carries the new value up
	// rather than reading back the node just written (Tamil, which merges
	// mostly here, encoded 6% faster so).
	tree = tree[:2*leaves]
	set := func(s, r int32) {
		c := uint(leaves + s)
		k := uint64(r)<<32 | uint64(s)
		tree[c] = k
		for c > 1 {
			k = min(k, tree[c^1])
			c >>= 1
			if tree[c] == k {
				break
			}
			tree[c] = k
		}
	}
	for {
		key := tree[1]
		r, s := int32(key>>32), int32(uint32(key))
		if r == noRank {
			break // no two adjacent parts join: done
		}
		// Join part s with the part t after it.
		t := next[s]
		tok[s] = r
		next[s] = next[t]
		prev[next[t]] = s
		set(t, noRank) // t is gone
		// The join changed two candidate pairs: (s, next) and (prev, s).
		if u := next[s]; u < n {
			set(s, m.pairRank(piece, off[s], off[next[u]], tok[s], tok[u]))
		} else {
			set(s, noRank)
		}
		if p := prev[s]; p >= 0 {
			set(p, m.pairRank(piece, off[p], off[next[s]], tok[p], tok[s]))
		}
	}
	for s := int32(0); s < n; s = next[s] {
		out = append(out, int(tok[s]))
	}
	return out
}

// grow64 is grow for uint64s.
func grow64(s []uint64, n int) []uint64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]uint64, n)
}

// joinQueue is a priority queue of join keys, smallest first, tuned for how
// BPE uses it. A plain heap would do, but a megabyte-long piece puts a
// million keys in it and each pop then costs a chain of cache misses.
// Merging mostly proceeds in waves: all joins of one rank, left to right,
// then longer tokens of higher ranks. So keys are kept in three places:
//
//   - run: a sorted slice handed out in order (cheap and cache-friendly);
//   - later: keys larger than everything in run, unsorted; when run and heap
//     are both empty, later is sorted and becomes the next run;
//   - heap: keys pushed that are not larger than run's last key, so they
//     may be due before run ends (rare with real vocabularies).
//
// The smallest key is always the smaller of run's next and heap's top:
// every key in later exceeds both.
type joinQueue struct {
	run   []uint64
	pos   int    // run[pos:] are still queued
	last  uint64 // run's largest key
	later []uint64
	heap  []uint64
}

func (q *joinQueue) reset() {
	q.run, q.pos, q.last = q.run[:0], 0, 0
	q.later, q.heap = q.later[:0], q.heap[:0]
}

func (q *joinQueue) push(key uint64) {
	if key > q.last {
		q.later = append(q.later, key)
	} else {
		q.heap = heapPush(q.heap, key)
	}
}

func (q *joinQueue) pop() (uint64, bool) {
	if q.pos == len(q.run) && len(q.heap) == 0 {
		if len(q.later) == 0 {
			return 0, false
		}
		q.run, q.later = q.later, q.run[:0]
		slices.Sort(q.run)
		q.pos, q.last = 0, q.run[len(q.run)-1]
	}
	if q.pos < len(q.run) && (len(q.heap) == 0 || q.run[q.pos] < q.heap[0]) {
		q.pos++
		return q.run[q.pos-1], true
	}
	key := q.heap[0]
	q.heap = heapPop(q.heap)
	return key, true
}

// grow returns s resized to length n, reusing its memory when it can.
func grow(s []int32, n int) []int32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int32, n)
}

// A 4-ary min-heap of uint64 keys, written out because container/heap's
// interface calls cost more than the merging itself. Four children per node
// halve the depth of a binary heap and sit in one cache line, which matters
// when a megabyte-long piece puts a million entries in the heap.

const heapArity = 4

func heapPush(h []uint64, x uint64) []uint64 {
	h = append(h, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / heapArity
		if h[p] <= x {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	return h
}

func heapPop(h []uint64) []uint64 {
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	if last > 0 {
		siftDown(h, 0)
	}
	return h
}

func siftDown(h []uint64, i int) {
	x := h[i]
	n := len(h)
	for {
		c := heapArity*i + 1
		if c >= n {
			break
		}
		// The smallest of up to four children.
		m := c
		for k := c + 1; k < c+heapArity && k < n; k++ {
			if h[k] < h[m] {
				m = k
			}
		}
		if x <= h[m] {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}
