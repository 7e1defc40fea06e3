package main

import (
	"slices"
)

// The task, as minGPT's sorter: a sequence of n digits drawn from k symbols,
// then the same digits sorted, all as single tokens. For n = 6, k = 3:
//
//	2 0 1 1 0 2 0 0 1 1 2 2
//
// The model is given the first half and must write the second.

// task describes sorting sequences of length digits over symbols values.
type task struct{ length, symbols int }

func (t task) SeqLen() int    { return 2 * t.length }
func (t task) PromptLen() int { return t.length }

// Count is the number of distinct inputs, symbols^length.
func (t task) Count() int {
	n := 1
	for range t.length {
		n *= t.symbols
	}
	return n
}

// Encode writes input number id (its digits in base symbols) followed by
// the same digits sorted into seq (len seqLen).
func (t task) Encode(seq []int, id int) {
	in := seq[:t.length]
	for i := t.length - 1; i >= 0; i-- {
		in[i] = id % t.symbols
		id /= t.symbols
	}
	copy(seq[t.length:], in)
	slices.Sort(seq[t.length:])
}

// format shows a sequence of digits compactly.
func format(digits []int) string {
	b := make([]byte, len(digits))
	for i, d := range digits {
		b[i] = byte('0' + d)
	}
	return string(b)
}
