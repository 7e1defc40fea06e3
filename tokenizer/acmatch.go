package tokenizer

import (
	"slices"
	"strings"
)

// acMatcher finds the first of a set of strings in a text, and the longest
// of those that start there, in one pass over the text: an Aho–Corasick
// automaton (Aho and Corasick, "Efficient string matching", 1975).
//
// Its states are the nodes of a trie of the strings: state s stands for
// the prefix that spells the path to it (depth[s] bytes). Reading a byte
// moves along the trie; where there is no edge for the byte, the fail link
// leads to the state of the longest suffix of the text read so far that is
// still a prefix of some string, and the edge is tried from there. So after
// reading text[:i+1] the state is always the longest suffix of it that
// starts some string, and longest[s] says how long the longest string
// ending right there is (0 if none).
type acMatcher struct {
	edges   [][]acEdge // per state, its trie edges sorted by byte
	root    [256]int32 // the root's moves: its edge, or the root itself
	fail    []int32    // per state: the state of its longest proper suffix in the trie
	depth   []int32    // per state: the length of its prefix
	longest []int32    // per state: the length of the longest string that is a suffix of its prefix, or 0

	first [256]bool // bytes a string can start with
	only  int       // the one first byte all strings share, or -1
}

type acEdge struct {
	b  byte
	to int32
}

// newACMatcher builds the automaton of strs (non-empty strings). first and
// only are as in specialSet. It returns nil for no strings.
func newACMatcher(strs []string, first [256]bool, only int) *acMatcher {
	if len(strs) == 0 {
		return nil
	}
	slices.Sort(strs) // the same automaton whatever order the strings come in
	a := &acMatcher{edges: [][]acEdge{nil}, depth: []int32{0}, longest: []int32{0}, first: first, only: only}
	// The trie.
	for _, s := range strs {
		state := int32(0)
		for i := 0; i < len(s); i++ {
			next := a.child(state, s[i])
			if next < 0 {
				next = int32(len(a.edges))
				a.edges = append(a.edges, nil)
				a.depth = append(a.depth, int32(i+1))
				a.longest = append(a.longest, 0)
				e := a.edges[state]
				at, _ := slices.BinarySearchFunc(e, s[i], func(e acEdge, b byte) int { return int(e.b) - int(b) })
				a.edges[state] = slices.Insert(e, at, acEdge{s[i], next})
			}
			state = next
		}
		a.longest[state] = int32(len(s))
	}
	// Fail links, breadth first: a state's link is found from its
	// parent's, which is shallower and so already known.
	a.fail = make([]int32, len(a.edges))
	for b := range a.root {
		a.root[b] = max(a.child(0, byte(b)), 0)
	}
	queue := make([]int32, 0, len(a.edges))
	for _, e := range a.edges[0] {
		queue = append(queue, e.to) // depth 1: fail to the root
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if a.longest[s] == 0 {
			a.longest[s] = a.longest[a.fail[s]] // the longest string ending here is a shorter suffix's
		}
		for _, e := range a.edges[s] {
			a.fail[e.to] = a.step(a.fail[s], e.b)
			queue = append(queue, e.to)
		}
	}
	return a
}

// child is the trie edge of state for byte b, or -1.
func (a *acMatcher) child(state int32, b byte) int32 {
	e := a.edges[state]
	if len(e) > 8 {
		if i, ok := slices.BinarySearchFunc(e, b, func(e acEdge, b byte) int { return int(e.b) - int(b) }); ok {
			return e[i].to
		}
		return -1
	}
	for _, x := range e {
		if x.b == b {
			return x.to
		}
	}
	return -1
}

// step is the state after reading b in state.
func (a *acMatcher) step(state int32, b byte) int32 {
	for state != 0 {
		if next := a.child(state, b); next >= 0 {
			return next
		}
		state = a.fail[state]
	}
	return a.root[b]
}

// find returns the start and length of the first string in text (the
// longest of those that start there), or -1, 0.
//
// At each byte the longest string ending there gives the earliest start
// of a string ending there. The scan goes on past the first match while a
// longer string starting at or before it could still end later: that is,
// while the text the state stands for (which starts at i+1-depth) starts at
// or before the best start so far.
func (a *acMatcher) find(text string) (pos, n int) {
	pos = -1
	state := int32(0)
	for i := 0; i < len(text); i++ {
		if state == 0 && pos < 0 {
			// At the root, a byte that starts no string leaves it there:
			// jump to the next one that does.
			if a.only >= 0 {
				j := strings.IndexByte(text[i:], byte(a.only))
				if j < 0 {
					return -1, 0
				}
				i += j
			} else {
				for i < len(text) && !a.first[text[i]] {
					i++
				}
				if i == len(text) {
					return -1, 0
				}
			}
		}
		state = a.step(state, text[i])
		if l := int(a.longest[state]); l > 0 {
			if start := i + 1 - l; pos < 0 || start < pos || start == pos && l > n {
				pos, n = start, l
			}
		}
		if pos >= 0 && i+1-int(a.depth[state]) > pos {
			break // nothing that starts at or before pos can still end later
		}
	}
	return pos, n
}
