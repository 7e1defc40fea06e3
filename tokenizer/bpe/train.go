package bpe

import (
	"container/heap"
	"slices"
)

// Train learns the same vocabulary as TrainReference (the same merges in the
// same order), much faster. Three changes make the difference:
//
//   - Equal pieces are trained once: the text is reduced to its distinct
//     pieces, each with the number of times it occurs, sorted so the result
//     never depends on map order. (Text cut by a pattern repeats the same
//     words over and over.)
//   - Pair counts are kept up to date instead of recounted: merging A,B into
//     N inside "x A B y" only changes the pairs touching it: (x,A), (A,B),
//     (B,y) become (x,N), (N,y). An index from each pair to the places where
//     it occurs means only those places are visited, so a merge costs time in
//     proportion to how often it occurs, even in one long piece (pattern
//     none).
//   - The best pair comes from a priority queue (container/heap). Instead of
//     updating entries in place, a fresh entry is pushed whenever a count
//     changes, and an entry whose count no longer matches is dropped when
//     it reaches the top ("lazy invalidation").
func Train(text []byte, opts Options) (*Vocab, error) {
	if err := opts.check(text); err != nil {
		return nil, err
	}
	v := newVocab(opts)
	t := newTrainer(distinctPieces(text, opts))

	spelled := map[string]bool{}
	for _, tok := range v.Tokens {
		spelled[string(tok)] = true
	}
	total := opts.VocabSize - MinVocabSize
	for len(v.Tokens) < opts.VocabSize {
		best, ok := t.pop()
		if !ok {
			break // no pairs left: the text is too small for this vocabulary
		}
		p := best.pair()
		if spelled[string(v.join(p))] {
			return nil, v.errSpelled(p)
		}
		id := v.addMerge(p)
		spelled[string(v.Tokens[id])] = true
		t.merge(best, int32(id))
		if opts.Progress != nil {
			opts.Progress(len(v.Merges), total)
		}
	}
	return v.finish(opts), nil
}

// piece is one distinct piece of the training text and how many times it
// occurs.
type piece struct {
	text  string
	count int
}

// distinctPieces cuts text with the pattern and returns each distinct piece
// once with its count, in byte order. Pieces of one byte have no pairs and
// are left out.
func distinctPieces(text []byte, opts Options) []piece {
	counts := map[string]int{}
	for len(text) > 0 {
		n := opts.Pattern.Next(text)
		if n > 1 {
			counts[string(text[:n])]++
		}
		text = text[n:]
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	pieces := make([]piece, len(keys))
	for i, k := range keys {
		pieces[i] = piece{text: k, count: counts[k]}
	}
	return pieces
}

// pairKey packs a pair into one integer, left ID in the high half, so that
// comparing keys compares (left, right) as the tie-break wants.
type pairKey uint64

func keyOf(left, right int32) pairKey { return pairKey(uint64(left)<<32 | uint64(uint32(right))) }

func (k pairKey) pair() pair { return pair{int(k >> 32), int(uint32(k))} }

// trainer holds the incremental state of Train. The distinct pieces are laid
// end to end in slots, one token per slot, each piece a doubly linked list:
// merging two tokens keeps the left slot and unlinks the right one, so the
// slots of a piece stay in text order and never move.
type trainer struct {
	id     []int32 // token in each slot; -1 once merged into its left neighbour
	prev   []int32 // previous slot of the same piece, -1 at its start
	next   []int32 // next slot of the same piece, -1 at its end
	weight []int   // how many times the slot's piece occurs in the text

	counts map[pairKey]int      // occurrences of each pair, weighted
	where  map[pairKey][]int32  // slots where each pair starts (some stale)
	queue  pairQueue            // candidates, some stale
	dirty  map[pairKey]struct{} // pairs whose count changed in this merge
}

func newTrainer(pieces []piece) *trainer {
	n := 0
	for _, pc := range pieces {
		n += len(pc.text)
	}
	t := &trainer{
		id:     make([]int32, 0, n),
		prev:   make([]int32, 0, n),
		next:   make([]int32, 0, n),
		weight: make([]int, 0, n),
		counts: map[pairKey]int{},
		where:  map[pairKey][]int32{},
		dirty:  map[pairKey]struct{}{},
	}
	for _, pc := range pieces {
		start := int32(len(t.id))
		for j := range len(pc.text) {
			s := start + int32(j)
			tok := int32(pc.text[j]) // the pieces start as their bytes
			t.id = append(t.id, tok)
			t.prev = append(t.prev, s-1)
			t.next = append(t.next, s+1)
			t.weight = append(t.weight, pc.count)
			if j > 0 {
				k := keyOf(int32(pc.text[j-1]), tok)
				t.counts[k] += pc.count
				t.where[k] = append(t.where[k], s-1)
			}
		}
		t.prev[start] = -1
		t.next[len(t.next)-1] = -1
	}
	t.queue = make(pairQueue, 0, len(t.counts))
	for k, n := range t.counts {
		t.queue = append(t.queue, entry{count: n, key: k})
	}
	heap.Init(&t.queue)
	return t
}

// pop returns the best pair still present, skipping stale entries.
func (t *trainer) pop() (pairKey, bool) {
	for t.queue.Len() > 0 {
		e := heap.Pop(&t.queue).(entry)
		if n := t.counts[e.key]; n == e.count && n > 0 {
			return e.key, true
		}
	}
	return 0, false
}

// add changes the count of pair k by d and marks it for the queue.
func (t *trainer) add(k pairKey, d int) {
	n := t.counts[k] + d
	if n == 0 {
		delete(t.counts, k)
	} else {
		t.counts[k] = n
	}
	t.dirty[k] = struct{}{}
}

// merge replaces every occurrence of pair k by token id, left to right as
// replacePair does, updating the counts of the neighbouring pairs.
func (t *trainer) merge(k pairKey, id int32) {
	a, b := int32(k>>32), int32(uint32(k))
	// Visiting the slots in increasing order is visiting each piece left to
	// right: in "a a a" with k = (a, a), the first pair is merged and the
	// second, whose left slot is now gone, is skipped.
	slots := t.where[k]
	slices.Sort(slots)
	delete(t.where, k)
	for _, s := range slots {
		r := t.next[s]
		if t.id[s] != a || r < 0 || t.id[r] != b {
			continue // stale: this place changed since it was noted
		}
		// "x A B y" -> "x N y". If the previous occurrence was just merged,
		// x is already N, and the pair (N, A) it added is taken back here:
		// the bookkeeping composes.
		c := t.weight[s]
		t.add(k, -c)
		if x := t.prev[s]; x >= 0 {
			t.add(keyOf(t.id[x], a), -c)
			t.add(keyOf(t.id[x], id), c)
			t.where[keyOf(t.id[x], id)] = append(t.where[keyOf(t.id[x], id)], x)
		}
		if y := t.next[r]; y >= 0 {
			t.add(keyOf(b, t.id[y]), -c)
			t.add(keyOf(id, t.id[y]), c)
			t.where[keyOf(id, t.id[y])] = append(t.where[keyOf(id, t.id[y])], s)
			t.prev[y] = s
		}
		t.id[s], t.id[r] = id, -1
		t.next[s] = t.next[r]
	}
	for d := range t.dirty {
		if n := t.counts[d]; n > 0 {
			heap.Push(&t.queue, entry{count: n, key: d})
		}
	}
	clear(t.dirty)
}

// entry is a candidate pair in the queue with its count when pushed.
type entry struct {
	count int
	key   pairKey
}

// pairQueue is a max-heap of entries ordered by better.
type pairQueue []entry

func (q pairQueue) Len() int { return len(q) }
func (q pairQueue) Less(i, j int) bool {
	if q[i].count != q[j].count {
		return q[i].count > q[j].count
	}
	return q[i].key < q[j].key // smaller (left, right) first, as in better
}
func (q pairQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pairQueue) Push(x any)   { *q = append(*q, x.(entry)) }
func (q *pairQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}
