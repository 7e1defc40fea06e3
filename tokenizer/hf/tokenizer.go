package hf

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/tick-llm/tick/tokenizer/split"
)

// Tokenizer is a Hugging Face byte-level BPE tokenizer read from a
// tokenizer.json (or vocab.json + merges.txt). It implements
// tokenizer.Tokenizer and is safe for concurrent use.
type Tokenizer struct {
	name    string
	pattern split.Pattern
	model   model
	tokens  [][]byte       // ID -> bytes, as the ByteLevel decoder gives them (nil: no token)
	added   map[string]int // added tokens (content -> ID), such as <|endoftext|>
	special map[int]bool   // IDs of the added tokens marked special
	nVocab  int            // largest ID + 1

	pool sync.Pool // *merger
}

// Name is "hf:" and the folder (or file) the tokenizer was read from.
func (t *Tokenizer) Name() string { return t.name }

// Pattern is the split pattern of the pre-tokenizer (split.None if the
// text is not cut before merging).
func (t *Tokenizer) Pattern() split.Pattern { return t.pattern }

// VocabSize is the largest token ID plus one, added tokens included.
func (t *Tokenizer) VocabSize() int { return t.nVocab }

// IgnoreMerges reports whether a piece that is itself a token is emitted
// whole (the model's ignore_merges, set by Llama 3 and by Hugging Face's
// tiktoken converter).
func (t *Tokenizer) IgnoreMerges() bool { return t.model.ignoreMerges }

// NumMerges is the number of distinct pairs in the merges list.
func (t *Tokenizer) NumMerges() int { return len(t.model.merges) }

// AddedTokens returns a copy of the added tokens (content -> ID).
func (t *Tokenizer) AddedTokens() map[string]int { return maps.Clone(t.added) }

// IsSpecial reports whether id is an added token marked special.
func (t *Tokenizer) IsSpecial(id int) bool { return t.special[id] }

// Encode cuts text with the pre-tokenizer's pattern and merges each piece
// by Hugging Face's BPE rule. Text is ordinary text, as everywhere in tick
// (tiktoken's encode_ordinary): "<|endoftext|>" written in the text is not
// the added token, and no template tokens (Llama 3's <|begin_of_text|>) are
// added, as Hugging Face's encode(text, add_special_tokens=False) with
// split_special_tokens=True. It never fails.
func (t *Tokenizer) Encode(text string) ([]int, error) {
	w, _ := t.pool.Get().(*merger)
	if w == nil {
		w = &merger{}
	}
	defer t.pool.Put(w)
	var ids []int32
	b := []byte(text)
	for len(b) > 0 {
		n := t.pattern.Next(b)
		ids = t.model.mergeFast(w, b[:n], ids)
		b = b[n:]
	}
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out, nil
}

// encodeReference is Encode with the plain merge, for tests.
func (t *Tokenizer) encodeReference(text string) []int {
	var out []int
	for _, piece := range t.pattern.Split([]byte(text)) {
		for _, id := range t.model.mergeReference(piece) {
			out = append(out, int(id))
		}
	}
	return out
}

// Decode joins the bytes of the tokens (Hugging Face's ByteLevel decoder,
// special tokens kept); an unknown ID becomes U+FFFD.
func (t *Tokenizer) Decode(ids []int) []byte {
	var b []byte
	for _, id := range ids {
		if tb := t.TokenBytes(id); tb != nil {
			b = append(b, tb...)
		} else {
			b = utf8.AppendRune(b, utf8.RuneError)
		}
	}
	return b
}

// TokenBytes is the text token id stands for (nil for an unknown ID).
func (t *Tokenizer) TokenBytes(id int) []byte {
	if id < 0 || id >= len(t.tokens) || t.tokens[id] == nil {
		return nil
	}
	return slices.Clone(t.tokens[id])
}

// build assembles a Tokenizer from a vocabulary (token string in the
// byte-level alphabet -> ID), merges (pairs of token strings, in priority
// order) and added tokens. It checks what Hugging Face checks (every merge
// names tokens of the vocabulary, and so does its result) and what
// byte-level BPE needs (every byte is a token, so no text is dropped).
func build(name string, pattern split.Pattern, vocab map[string]int, merges [][2]string, ignoreMerges bool, added []addedToken) (*Tokenizer, error) {
	if len(vocab) == 0 {
		return nil, fmt.Errorf("the BPE model has an empty vocab")
	}
	t := &Tokenizer{name: name, pattern: pattern, added: map[string]int{}, special: map[int]bool{}}
	t.model.ignoreMerges = ignoreMerges
	t.model.ids = make(map[string]int32, len(vocab))
	maxID := -1
	for s, id := range vocab {
		if id < 0 || id > 1<<30 {
			return nil, fmt.Errorf("vocab token %q has ID %d, outside 0..%d", s, id, 1<<30)
		}
		maxID = max(maxID, id)
	}
	for _, a := range added {
		if a.ID < 0 || a.ID > 1<<30 {
			return nil, fmt.Errorf("added token %q has ID %d, outside 0..%d", a.Content, a.ID, 1<<30)
		}
		maxID = max(maxID, a.ID)
	}
	// A model has one embedding row per ID up to the largest, so IDs far
	// beyond the number of tokens are a broken file (and would make a
	// table of gigabytes here).
	if n := len(vocab) + len(added); maxID >= 2*n+1024 {
		return nil, fmt.Errorf("the largest token ID is %d but there are only %d tokens; IDs must be numbered without large gaps", maxID, n)
	}
	t.nVocab = maxID + 1
	t.tokens = make([][]byte, t.nVocab)
	byString := make([]string, t.nVocab)
	// Visit the vocab in a fixed order so that errors are reproducible.
	for _, s := range slices.Sorted(maps.Keys(vocab)) {
		id := vocab[s]
		if byString[id] != "" {
			return nil, fmt.Errorf("vocab gives ID %d to both %q and %q; each ID must name one token", id, byString[id], s)
		}
		if s == "" {
			return nil, fmt.Errorf("vocab has an empty token (ID %d)", id)
		}
		byString[id] = s
		t.tokens[id] = decodeByteLevel(s)
		if b, ok := fromByteLevel(s); ok {
			t.model.ids[string(b)] = int32(id)
		}
	}
	for c := 0; c < 256; c++ {
		id, ok := t.model.ids[string([]byte{byte(c)})]
		if !ok {
			return nil, fmt.Errorf("vocab lacks the single byte 0x%02x (%q in the byte-level alphabet); byte-level BPE needs all 256 bytes as tokens, or it would drop text", c, string(byteToRune[c]))
		}
		t.model.byteID[c] = id
	}
	t.model.merges = make(map[uint64]merge, len(merges))
	for i, mg := range merges {
		l, okL := vocab[mg[0]]
		r, okR := vocab[mg[1]]
		j, okJ := vocab[mg[0]+mg[1]]
		switch {
		case !okL:
			return nil, fmt.Errorf("merge %d (%q %q): %q is not in the vocab", i, mg[0], mg[1], mg[0])
		case !okR:
			return nil, fmt.Errorf("merge %d (%q %q): %q is not in the vocab", i, mg[0], mg[1], mg[1])
		case !okJ:
			return nil, fmt.Errorf("merge %d (%q %q): the result %q is not in the vocab", i, mg[0], mg[1], mg[0]+mg[1])
		}
		// A pair listed twice keeps its last priority, as Hugging Face's
		// map of merges does.
		t.model.merges[pairKey(int32(l), int32(r))] = merge{priority: int32(i), id: int32(j)}
	}
	for _, a := range added {
		if prev, dup := t.added[a.Content]; dup && prev != a.ID {
			return nil, fmt.Errorf("added token %q has two IDs, %d and %d", a.Content, prev, a.ID)
		}
		if a.Content == "" {
			return nil, fmt.Errorf("added token %d is empty", a.ID)
		}
		t.added[a.Content] = a.ID
		t.tokens[a.ID] = decodeByteLevel(a.Content)
		if a.Special {
			t.special[a.ID] = true
		}
	}
	return t, nil
}

// addedToken is an entry of tokenizer.json's added_tokens.
type addedToken struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}
