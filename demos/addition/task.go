package main

import (
	"fmt"
)

// The task, as minGPT's adder writes it: a and b with n digits each (zero
// padded), then their sum c with n+1 digits written backwards, all as single
// digit tokens. For n = 2, 23+45=68 is
//
//	2 3 4 5 8 6 0
//
// Backwards, because a model writes left to right: the last digit of the sum
// depends only on the last digits of a and b, the next one on them and the
// carry, so reversed the answer can be produced one easy step at a time.

// task describes n-digit addition.
type task struct{ digits int }

// SeqLen is the length of a whole problem: 2n digits in, n+1 out.
func (t task) SeqLen() int { return 3*t.digits + 1 }

// PromptLen is the part the model is given: a and b.
func (t task) PromptLen() int { return 2 * t.digits }

// Count is the number of distinct problems: (10^n)^2.
func (t task) Count() int {
	n := t.pow10()
	return n * n
}

func (t task) pow10() int {
	n := 1
	for range t.digits {
		n *= 10
	}
	return n
}

// problem returns a and b of problem number i (0 <= i < count).
func (t task) problem(i int) (a, b int) {
	return i / t.pow10(), i % t.pow10()
}

// Encode writes the whole sequence of problem number i into seq (len SeqLen).
func (t task) Encode(seq []int, i int) {
	a, b := t.problem(i)
	t.encode(seq, a, b)
}

// encode writes the whole sequence of problem a+b into seq (len SeqLen).
func (t task) encode(seq []int, a, b int) {
	n := t.digits
	putDigits(seq[:n], a)
	putDigits(seq[n:2*n], b)
	c := a + b
	for i := range n + 1 { // least significant digit first
		seq[2*n+i] = c % 10
		c /= 10
	}
}

// decodeSum reads the answer digits (least significant first) back into a
// number.
func (t task) decodeSum(answer []int) int {
	c := 0
	for i := len(answer) - 1; i >= 0; i-- {
		c = 10*c + answer[i]
	}
	return c
}

// putDigits writes v into d with leading zeros, most significant first.
func putDigits(d []int, v int) {
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = v % 10
		v /= 10
	}
}

// format shows a problem as a learner reads it.
func (t task) format(a, b int) string {
	return fmt.Sprintf("%0*d+%0*d", t.digits, a, t.digits, b)
}
