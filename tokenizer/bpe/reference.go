package bpe

// TrainReference learns a vocabulary the plain way, written to be read
// rather than to be fast (it is minbpe's RegexTokenizer.train, but for how
// ties are broken: see the package doc):
//
//  1. cut the text into pieces with the split pattern, and turn each piece
//     into a list of token IDs (its bytes);
//  2. count every adjacent pair of IDs over all pieces;
//  3. take the best pair (see better), give it the next ID, and replace it
//     everywhere, left to right;
//  4. repeat from 2 until the vocabulary has opts.VocabSize tokens.
//
// Each merge recounts every pair of the whole text, so the time grows as
// (text length) x (number of merges). Train gives the same result quickly.
func TrainReference(text []byte, opts Options) (*Vocab, error) {
	if err := opts.check(text); err != nil {
		return nil, err
	}
	v := newVocab(opts)

	var pieces [][]int
	for _, p := range opts.Pattern.Split(text) {
		ids := make([]int, len(p))
		for i, b := range p {
			ids[i] = int(b)
		}
		pieces = append(pieces, ids)
	}

	// spelled holds the bytes of every token so far, to check that no merge
	// spells an existing token again (the package doc explains why none can).
	spelled := map[string]bool{}
	for _, t := range v.Tokens {
		spelled[string(t)] = true
	}

	total := opts.VocabSize - MinVocabSize
	for len(v.Tokens) < opts.VocabSize {
		counts := map[pair]int{}
		for _, ids := range pieces {
			for i := 0; i+1 < len(ids); i++ {
				counts[pair{ids[i], ids[i+1]}]++
			}
		}

		var best pair
		bestCount := 0
		for p, n := range counts {
			if bestCount == 0 || better(n, p, bestCount, best) {
				best, bestCount = p, n
			}
		}
		if bestCount == 0 {
			break // no pairs left: the text is too small for this vocabulary
		}
		if spelled[string(v.join(best))] {
			return nil, v.errSpelled(best)
		}

		id := v.addMerge(best)
		spelled[string(v.Tokens[id])] = true
		for i, ids := range pieces {
			pieces[i] = replacePair(ids, best, id)
		}
		if opts.Progress != nil {
			opts.Progress(len(v.Merges), total)
		}
	}
	return v.finish(opts), nil
}

// join returns the bytes pair p would spell as one token.
func (v *Vocab) join(p pair) []byte {
	return append(append([]byte{}, v.Tokens[p.left]...), v.Tokens[p.right]...)
}

// replacePair replaces every occurrence of p in ids by id, scanning left to
// right (so "a a a" with p = (a, a) becomes "aa a"). It works in place.
func replacePair(ids []int, p pair, id int) []int {
	out := ids[:0]
	for i := 0; i < len(ids); i++ {
		if i+1 < len(ids) && ids[i] == p.left && ids[i+1] == p.right {
			out = append(out, id)
			i++
		} else {
			out = append(out, ids[i])
		}
	}
	return out
}
