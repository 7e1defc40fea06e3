package sample

import "slices"

// below reports whether token a ranks below token b: a lower logit, or an
// equal logit and a higher ID. Temperature is monotone, so ranking by logit
// is ranking by probability, without the ties that rounding in exp creates.
func below(logits []float64, a, b int) bool {
	return logits[a] < logits[b] || (logits[a] == logits[b] && a > b)
}

// rankTop returns the IDs of the n most likely tokens, most likely first.
// It keeps a min-heap of the best n seen so far, O(V log n), instead of
// sorting all V tokens: n is usually small (top-k, a few candidates to show).
func rankTop(logits []float64, n int) []int {
	n = min(n, len(logits))
	if n == 0 {
		return nil
	}
	worse := func(a, b int) bool { return below(logits, a, b) }
	heap := make([]int, 0, n) // heap[0] is the worst of the best n
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= len(heap) {
				return
			}
			if c+1 < len(heap) && worse(heap[c+1], heap[c]) {
				c++
			}
			if !worse(heap[c], heap[i]) {
				return
			}
			heap[i], heap[c] = heap[c], heap[i]
			i = c
		}
	}
	for id := range logits {
		if len(heap) < n {
			heap = append(heap, id)
			for i := len(heap) - 1; i > 0; { // sift up
				parent := (i - 1) / 2
				if !worse(heap[i], heap[parent]) {
					break
				}
				heap[i], heap[parent] = heap[parent], heap[i]
				i = parent
			}
		} else if worse(heap[0], id) {
			heap[0] = id
			down(0)
		}
	}
	slices.SortFunc(heap, func(a, b int) int {
		switch {
		case below(logits, b, a):
			return -1
		case below(logits, a, b):
			return 1
		}
		return 0
	})
	return heap
}
