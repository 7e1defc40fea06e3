package hf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/split"
)

// Write writes tok into dir as Hugging Face expects it beside a model:
// tokenizer.json, tokenizer_config.json (PreTrainedTokenizerFast, with
// modelMaxLength as model_max_length; 0 leaves it out) and
// special_tokens_map.json. It takes byte-level BPE encodings (built-in,
// .tiktoken files, Llama 3's) and the byte tokenizer. A char tokenizer has
// no byte-level form and is an error. Each file is written to a temporary
// file and renamed into place.
func Write(dir string, tok tokenizer.Tokenizer, modelMaxLength int) error {
	j, err := Convert(tok)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write tokenizer: %w", err)
	}
	tj, err := j.tokenizerJSON()
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{
		{TokenizerJSON, tj},
		{"tokenizer_config.json", j.configJSON(modelMaxLength)},
		{"special_tokens_map.json", j.specialsMapJSON()},
	}
	for _, f := range files {
		if err := atomicfile.WriteFile(filepath.Join(dir, f.name), f.data); err != nil {
			return fmt.Errorf("write tokenizer: %w", err)
		}
	}
	return nil
}

// Converted is a tick tokenizer in Hugging Face's terms: what Write puts
// into tokenizer.json.
type Converted struct {
	Pattern split.Pattern
	Vocab   []string    // ID -> token in the byte-level alphabet ("" for an ID without a token)
	Merges  [][2]string // in priority order
	Added   []addedToken
}

// Convert turns a tick tokenizer into Hugging Face's byte-level BPE the
// way Hugging Face's TikTokenConverter converts a tiktoken file: the vocab
// is the ranks; for every token, every split into two tokens becomes a
// merge, the splits of one token ordered by the ranks of their left then
// right halves, and the tokens in rank order; ignore_merges is set, so a
// piece that is itself a token stays whole as in tiktoken. Special tokens
// become added tokens.
func Convert(tok tokenizer.Tokenizer) (*Converted, error) {
	if _, ok := tok.(tokenizer.Byte); ok {
		c := &Converted{Pattern: split.None, Vocab: make([]string, 256)}
		for b := range 256 {
			c.Vocab[b] = toByteLevel([]byte{byte(b)})
		}
		return c, nil
	}
	if _, ok := tok.(*tokenizer.Char); ok {
		return nil, fmt.Errorf("a char tokenizer cannot be written as Hugging Face's byte-level BPE (its IDs are characters, not bytes and merges): train with --tokenizer byte (or a BPE encoding) to export")
	}
	enc, ok := tokenizer.EncodingOf(tok)
	if !ok {
		return nil, fmt.Errorf("tokenizer %s cannot be written as Hugging Face's byte-level BPE: export a model trained with --tokenizer byte or a BPE encoding", tok.Name())
	}
	return convertEncoding(enc), nil
}

func convertEncoding(enc *tokenizer.Encoding) *Converted {
	n := enc.VocabSize()
	c := &Converted{Pattern: enc.Pattern(), Vocab: make([]string, n)}
	for id := range n {
		if enc.IsSpecial(id) {
			continue
		}
		b, err := enc.TokenBytes(id)
		if err != nil {
			continue // a gap in the ranks
		}
		c.Vocab[id] = toByteLevel(b)
		var local [][2]int
		for i := 1; i < len(b); i++ {
			l, okL := enc.Rank(b[:i])
			r, okR := enc.Rank(b[i:])
			if okL && okR {
				local = append(local, [2]int{l, r})
			}
		}
		slices.SortFunc(local, func(x, y [2]int) int {
			if x[0] != y[0] {
				return x[0] - y[0]
			}
			return x[1] - y[1]
		})
		for _, p := range local {
			l, _ := enc.TokenBytes(p[0])
			r, _ := enc.TokenBytes(p[1])
			c.Merges = append(c.Merges, [2]string{toByteLevel(l), toByteLevel(r)})
		}
	}
	specials := enc.SpecialTokens()
	for _, s := range slices.Sorted(func(yield func(string) bool) {
		for k := range specials {
			if !yield(k) {
				return
			}
		}
	}) {
		c.Added = append(c.Added, addedToken{ID: specials[s], Content: s, Special: true})
	}
	slices.SortFunc(c.Added, func(a, b addedToken) int { return a.ID - b.ID })
	return c
}

// byteLevel is the ByteLevel component as Hugging Face serialises it.
func byteLevel(useRegex bool) map[string]any {
	return map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": useRegex}
}

func (c *Converted) preTokenizer() any {
	switch c.Pattern {
	case split.GPT2:
		return byteLevel(true) // GPT-2's own form: ByteLevel splits with its regex
	case split.None:
		return byteLevel(false)
	}
	return map[string]any{"type": "Sequence", "pretokenizers": []any{
		map[string]any{"type": "Split", "pattern": map[string]string{"Regex": c.Pattern.Regexp()}, "behavior": "Isolated", "invert": false},
		byteLevel(false),
	}}
}

// tokenizerJSON is the tokenizer.json text. The vocab is written in ID
// order (a JSON object's order is free, and this one reads like the rank
// file), merges in the "a b" form every version of tokenizers reads.
func (c *Converted) tokenizerJSON() ([]byte, error) {
	var buf bytes.Buffer
	put := func(v any) error {
		b, err := marshal(v)
		buf.Write(b)
		return err
	}
	buf.WriteString("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
	for i, a := range c.Added {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n    ")
		if err := put(a); err != nil {
			return nil, err
		}
	}
	buf.WriteString("\n  ],\n  \"normalizer\": null,\n  \"pre_tokenizer\": ")
	if err := put(c.preTokenizer()); err != nil {
		return nil, err
	}
	buf.WriteString(",\n  \"post_processor\": ")
	put(map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true})
	buf.WriteString(",\n  \"decoder\": ")
	put(byteLevel(true))
	buf.WriteString(",\n  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n" +
		"    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n" +
		"    \"byte_fallback\": false,\n    \"ignore_merges\": true,\n    \"vocab\": {")
	first := true
	for id, s := range c.Vocab {
		if s == "" {
			continue
		}
		if !first {
			buf.WriteString(",")
		}
		first = false
		buf.WriteString("\n      ")
		put(s)
		buf.WriteString(": " + strconv.Itoa(id))
	}
	buf.WriteString("\n    },\n    \"merges\": [")
	for i, m := range c.Merges {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n      ")
		put(m[0] + " " + m[1])
	}
	buf.WriteString("\n    ]\n  }\n}\n")
	return buf.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping, so "<|endoftext|>" reads
// as itself.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// eosBOS picks the end-of-text and beginning-of-text tokens among the
// added ones: GPT-2's <|endoftext|> is both; Llama 3 has its own pair.
func (c *Converted) eosBOS() (eos, bos string) {
	has := map[string]bool{}
	for _, a := range c.Added {
		has[a.Content] = true
	}
	switch {
	case has["<|end_of_text|>"]:
		eos = "<|end_of_text|>"
	case has["<|endoftext|>"]:
		eos = "<|endoftext|>"
	}
	switch {
	case has["<|begin_of_text|>"]:
		bos = "<|begin_of_text|>"
	case has["<|endoftext|>"]:
		bos = "<|endoftext|>"
	}
	return eos, bos
}

func (c *Converted) configJSON(modelMaxLength int) []byte {
	decoder := map[string]addedToken{}
	for _, a := range c.Added {
		decoder[strconv.Itoa(a.ID)] = a
	}
	cfg := map[string]any{
		"tokenizer_class":              "PreTrainedTokenizerFast",
		"clean_up_tokenization_spaces": false,
		"added_tokens_decoder":         decoder,
	}
	if modelMaxLength > 0 {
		cfg["model_max_length"] = modelMaxLength
	}
	eos, bos := c.eosBOS()
	if eos != "" {
		cfg["eos_token"] = eos
	}
	if bos != "" {
		cfg["bos_token"] = bos
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	return append(b, '\n')
}

func (c *Converted) specialsMapJSON() []byte {
	m := map[string]string{}
	eos, bos := c.eosBOS()
	if eos != "" {
		m["eos_token"] = eos
	}
	if bos != "" {
		m["bos_token"] = bos
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return append(b, '\n')
}
