package bpe

// EncodeReplay encodes text by replaying the learned merges, as minbpe's
// encode does: split text into pieces with the vocabulary's pattern; in each
// piece start from the bytes, then repeatedly apply the earliest learned
// merge among the piece's adjacent pairs (everywhere in the piece), until no
// pair is a learned merge. Special tokens are not recognised: their text is
// encoded like any other.
//
// It is the meaning of a trained vocabulary; an encoder that works from the
// saved rank file (package tokenizer) must give the same IDs.
func (v *Vocab) EncodeReplay(text []byte) []int {
	order := make(map[pair]int, len(v.Merges)) // pair -> merge index
	for i, m := range v.Merges {
		order[pair{m.Left, m.Right}] = i
	}
	var out []int
	for _, p := range v.Pattern.Split(text) {
		ids := make([]int, len(p))
		for i, b := range p {
			ids[i] = int(b)
		}
		for len(ids) >= 2 {
			first := -1
			for i := 0; i+1 < len(ids); i++ {
				if k, ok := order[pair{ids[i], ids[i+1]}]; ok && (first < 0 || k < first) {
					first = k
				}
			}
			if first < 0 {
				break
			}
			m := v.Merges[first]
			ids = replacePair(ids, pair{m.Left, m.Right}, m.ID)
		}
		out = append(out, ids...)
	}
	return out
}
