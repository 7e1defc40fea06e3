package tokenizer

import (
	"slices"
	"strings"
)

// acMatcher finds the first of a set of strings in a text, and the longest
// of those that start there, in one pass over the text: an Aho–Corasick
// automaton (Aho and Corasick, "Efficient string matching", 1975).
//
// Its states are the nodes of a trie of the strings: a state stands for
// the prefix that spells the path to it (depth bytes). Reading a byte
// moves along the trie; where there is no child for the byte, the fail link
// leads to the state of the longest suffix of the text read so far that is
// still a prefix of some string, and the child is tried from there. So
// after reading text[:i+1] the state is always the longest suffix of it
// that starts some string, and its longest says how long the longest
// string ending right there is (0 if none).
type acMatcher struct {
	nodes []acNode   // the states, breadth first: the root, then depth 1, 2, ...
	root  [256]int32 // the root's moves: its child for the byte, or the root itself

	first [256]bool // bytes a string can start with
	only  int       // the one first byte all strings share, or -1
}

// acNode is one state. Its children are the states first..first+n-1,
// sorted by label: building the trie breadth first from the sorted strings
// numbers them so, and keeps a node to 24 bytes (a trie has a node per
// byte of the strings, millions for long special tokens).
type acNode struct {
	first, n int32 // children
	fail     int32 // the state of the longest proper suffix of this prefix that is in the trie
	depth    int32 // the length of this prefix
	longest  int32 // the length of the longest string that is a suffix of this prefix, or 0
	label    byte  // the last byte of this prefix
}

// newACMatcher builds the automaton of strs (non-empty, distinct). first
// and only are as in specialSet. It returns nil for no strings.
func newACMatcher(strs []string, first [256]bool, only int) *acMatcher {
	if len(strs) == 0 {
		return nil
	}
	strs = slices.Sorted(slices.Values(strs))
	size := 1 // the root and at most one node per byte of the strings
	for _, s := range strs {
		size += len(s)
	}
	a := &acMatcher{nodes: make([]acNode, 1, size), first: first, only: only}
	// The trie, breadth first. The strings below node i are strs[lo[i]:hi[i]]
	// (sorted, they are together); those as long as its prefix end there,
	// and come first.
	lo, hi := make([]int32, 1, size), make([]int32, 1, size)
	hi[0] = int32(len(strs))
	for i := 0; i < len(a.nodes); i++ {
		d, l, h := a.nodes[i].depth, int(lo[i]), int(hi[i])
		for l < h && len(strs[l]) == int(d) {
			a.nodes[i].longest = d
			l++
		}
		a.nodes[i].first = int32(len(a.nodes))
		for l < h {
			b := strs[l][d]
			end := l
			for end < h && strs[end][d] == b {
				end++
			}
			a.nodes = append(a.nodes, acNode{depth: d + 1, label: b})
			lo, hi = append(lo, int32(l)), append(hi, int32(end))
			l = end
		}
		a.nodes[i].n = int32(len(a.nodes)) - a.nodes[i].first
	}
	for b := range a.root {
		a.root[b] = max(a.child(0, byte(b)), 0)
	}
	// Fail links in the same order: a child's link comes from its parent's,
	// which is shallower and so already known; so is the link's own
	// longest, which the child inherits if no string ends at it.
	for i := range a.nodes {
		n := a.nodes[i]
		for c := n.first; c < n.first+n.n; c++ {
			child := &a.nodes[c]
			if i != 0 {
				child.fail = a.step(n.fail, child.label)
			}
			if child.longest == 0 {
				child.longest = a.nodes[child.fail].longest
			}
		}
	}
	return a
}

// child is the trie child of state for byte b, or -1.
func (a *acMatcher) child(state int32, b byte) int32 {
	n := a.nodes[state]
	kids := a.nodes[n.first : n.first+n.n]
	if len(kids) > 8 {
		if i, ok := slices.BinarySearchFunc(kids, b, func(k acNode, b byte) int { return int(k.label) - int(b) }); ok {
			return n.first + int32(i)
		}
		return -1
	}
	for i, k := range kids {
		if k.label == b {
			return n.first + int32(i)
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
		state = a.nodes[state].fail
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
		if l := int(a.nodes[state].longest); l > 0 {
			if start := i + 1 - l; pos < 0 || start < pos || start == pos && l > n {
				pos, n = start, l
			}
		}
		if pos >= 0 && i+1-int(a.nodes[state].depth) > pos {
			break // nothing that starts at or before pos can still end later
		}
	}
	return pos, n
}
