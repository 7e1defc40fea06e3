package hf

import "slices"

// merge is one entry of a Hugging Face merges list: joining the pair of
// tokens it is keyed by gives token id, and the pair with the lowest
// priority (its index in the list) is joined first.
type merge struct {
	priority int32
	id       int32
}

// pairKey packs the IDs of a left and a right token into a map key.
func pairKey(left, right int32) uint64 { return uint64(uint32(left))<<32 | uint64(uint32(right)) }

// model is the BPE model of a tokenizer.json: tokens and merges keyed by
// IDs, as Hugging Face's tokenizers crate keeps them.
type model struct {
	ids          map[string]int32 // token bytes -> ID (tokens spelled in the byte-level alphabet)
	byteID       [256]int32       // the ID of each single byte
	merges       map[uint64]merge // pairKey(left, right) -> what joining them makes
	ignoreMerges bool             // a piece that is itself a token is emitted whole
}

// mergeReference is Hugging Face's BPE on one piece, written to be read:
//
//  1. With ignore_merges, a piece that is itself a token is that token.
//  2. Start with one part per byte, each the token of that byte.
//  3. Among all adjacent pairs of parts that the merges list joins, join the
//     one whose merge has the lowest priority; on equal priority (the same
//     merge twice in the piece) the leftmost. Repeat until no adjacent pair
//     has a merge.
//
// Note the difference from tiktoken: the question is "is (left ID, right
// ID) in the merges list?", not "is the joined string a token?", and the
// order is the list's, not the result's ID. Every round rescans the piece,
// so a piece of n bytes costs O(n²) lookups; mergeFast is the fast version
// and a test proves they agree.
func (m *model) mergeReference(piece []byte) []int32 {
	if m.ignoreMerges {
		if id, ok := m.ids[string(piece)]; ok { // step 1
			return []int32{id}
		}
	}
	parts := make([]int32, len(piece)) // step 2
	for i, c := range piece {
		parts[i] = m.byteID[c]
	}
	for { // step 3
		best, bestMerge := -1, merge{}
		for i := 0; i+1 < len(parts); i++ {
			mg, ok := m.merges[pairKey(parts[i], parts[i+1])]
			if ok && (best < 0 || mg.priority < bestMerge.priority) {
				best, bestMerge = i, mg
			}
		}
		if best < 0 {
			return parts
		}
		parts[best] = bestMerge.id
		parts = slices.Delete(parts, best+1, best+2)
	}
}

// symbol is one part of a piece during mergeFast: a token and its
// neighbours in a linked list over byte positions.
type symbol struct {
	id         int32
	prev, next int32 // -1 / len(piece) at the ends
	gone       bool  // joined into the part on its left
}

// candidate is a pair waiting in mergeFast's queue: joining the part at
// pos with the next one into token id, with the merge's priority.
type candidate struct {
	priority int32
	pos      int32
	id       int32
}

// less orders candidates as Hugging Face's heap does: lowest priority
// first, then leftmost.
func (a candidate) less(b candidate) bool {
	if a.priority != b.priority {
		return a.priority < b.priority
	}
	return a.pos < b.pos
}

// merger holds mergeFast's scratch space so that encoding a long text does
// not allocate per piece. It is not shared between goroutines.
type merger struct {
	sym   []symbol
	queue []candidate // a binary min-heap under candidate.less
}

// mergeFast appends the tokens of piece to out; the result is
// mergeReference's. It is the algorithm of Hugging Face's word.rs
// (merge_all): every adjacent pair with a merge goes into a priority queue;
// the best is popped and, if it is still current (the two parts are still
// neighbours and still make the same token), joined, and the two new pairs
// it forms with its neighbours are queued. Stale entries are skipped rather
// than removed. O(n log n) for a piece of n bytes.
func (m *model) mergeFast(w *merger, piece []byte, out []int32) []int32 {
	switch len(piece) {
	case 0:
		return out
	case 1:
		return append(out, m.byteID[piece[0]])
	}
	if m.ignoreMerges {
		if id, ok := m.ids[string(piece)]; ok {
			return append(out, id)
		}
	}
	n := int32(len(piece))
	w.sym = w.sym[:0]
	w.queue = w.queue[:0]
	for i := int32(0); i < n; i++ {
		w.sym = append(w.sym, symbol{id: m.byteID[piece[i]], prev: i - 1, next: i + 1})
	}
	for i := int32(0); i+1 < n; i++ {
		if mg, ok := m.merges[pairKey(w.sym[i].id, w.sym[i+1].id)]; ok {
			w.push(candidate{priority: mg.priority, pos: i, id: mg.id})
		}
	}
	for len(w.queue) > 0 {
		c := w.pop()
		s := &w.sym[c.pos]
		if s.gone || s.next >= n {
			continue // the part was joined away, or has no right neighbour now
		}
		right := &w.sym[s.next]
		if mg, ok := m.merges[pairKey(s.id, right.id)]; !ok || mg.id != c.id {
			continue // stale: a neighbour changed since this pair was queued
		}
		// Join: the part at c.pos becomes the new token, its right
		// neighbour disappears.
		s.id = c.id
		right.gone = true
		s.next = right.next
		if s.next < n {
			w.sym[s.next].prev = c.pos
		}
		if s.prev >= 0 {
			if mg, ok := m.merges[pairKey(w.sym[s.prev].id, s.id)]; ok {
				w.push(candidate{priority: mg.priority, pos: s.prev, id: mg.id})
			}
		}
		if s.next < n {
			if mg, ok := m.merges[pairKey(s.id, w.sym[s.next].id)]; ok {
				w.push(candidate{priority: mg.priority, pos: c.pos, id: mg.id})
			}
		}
	}
	for i := int32(0); i < n; i = w.sym[i].next {
		out = append(out, w.sym[i].id)
	}
	return out
}

func (w *merger) push(c candidate) {
	q := append(w.queue, c)
	i := len(q) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !c.less(q[p]) {
			break
		}
		q[i] = q[p]
		i = p
	}
	q[i] = c
	w.queue = q
}

func (w *merger) pop() candidate {
	q := w.queue
	top := q[0]
	last := q[len(q)-1]
	q = q[:len(q)-1]
	i, n := 0, len(q)
	for n > 0 {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && q[c+1].less(q[c]) {
			c++
		}
		if !q[c].less(last) {
			break
		}
		q[i] = q[c]
		i = c
	}
	if n > 0 {
		q[i] = last
	}
	w.queue = q
	return top
}
