package hf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tick-llm/tick/tokenizer/split"
)

// fileJSON is the part of tokenizer.json that decides how text becomes
// IDs. Fields kept as raw JSON are checked one by one, so that anything
// tick does not implement is refused by name.
type fileJSON struct {
	Truncation    json.RawMessage `json:"truncation"`
	Padding       json.RawMessage `json:"padding"`
	AddedTokens   []addedToken    `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         *modelJSON      `json:"model"`
}

type modelJSON struct {
	Type                    string          `json:"type"`
	Dropout                 *float64        `json:"dropout"`
	UnkToken                *string         `json:"unk_token"`
	ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
	ByteFallback            bool            `json:"byte_fallback"`
	IgnoreMerges            bool            `json:"ignore_merges"`
	Vocab                   map[string]int  `json:"vocab"`
	Merges                  json.RawMessage `json:"merges"`
}

// component is a pre-tokenizer, decoder or post-processor: a "type" and
// its options.
type component struct {
	Type           string            `json:"type"`
	AddPrefixSpace *bool             `json:"add_prefix_space"`
	UseRegex       *bool             `json:"use_regex"`
	Pattern        map[string]string `json:"pattern"`
	Behavior       string            `json:"behavior"`
	Invert         bool              `json:"invert"`
	PreTokenizers  []json.RawMessage `json:"pretokenizers"`
	Decoders       []json.RawMessage `json:"decoders"`
	Processors     []json.RawMessage `json:"processors"`
}

// Supported says in one line what tokenizer.json tick reads, for errors.
const Supported = "tick reads byte-level BPE tokenizers: model BPE (no byte_fallback, dropout or subword affixes), no normalizer, " +
	"pre_tokenizer ByteLevel (GPT-2's regex, add_prefix_space false) or Sequence[Split(Regex of r50k/GPT-2, cl100k/Llama 3 or o200k, Isolated), ByteLevel(use_regex false)], decoder ByteLevel"

// patterns are the split regular expressions tick's scanners implement,
// spelled exactly as tokenizer.json files (and tiktoken) write them.
var patterns = map[string]split.Pattern{
	split.GPT2.Regexp(): split.GPT2,
	// tiktoken's r50k_base pat_str: the same alternatives as GPT-2's in
	// another order; none is a prefix of another, so it matches the same.
	`'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`: split.GPT2,
	split.CL100K.Regexp(): split.CL100K, // also Llama 3's and Hugging Face's tiktoken converter's default
	split.O200K.Regexp():  split.O200K,
}

// parseJSON reads a tokenizer.json.
func parseJSON(name string, data []byte) (*Tokenizer, error) {
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if f.Model == nil {
		return nil, fmt.Errorf("no \"model\"; %s", Supported)
	}
	m := f.Model
	switch {
	case m.Type != "BPE" && m.Type != "":
		return nil, fmt.Errorf("model type %q is not supported; %s", m.Type, Supported)
	case m.ByteFallback:
		return nil, fmt.Errorf("model byte_fallback is true (a SentencePiece-style BPE); %s", Supported)
	case m.Dropout != nil && *m.Dropout != 0:
		return nil, fmt.Errorf("model dropout is %g (random merges); %s", *m.Dropout, Supported)
	case m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "":
		return nil, fmt.Errorf("model continuing_subword_prefix %q is not supported; %s", *m.ContinuingSubwordPrefix, Supported)
	case m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "":
		return nil, fmt.Errorf("model end_of_word_suffix %q is not supported; %s", *m.EndOfWordSuffix, Supported)
	}
	if !isNull(f.Normalizer) {
		return nil, fmt.Errorf("normalizer %s is not supported; %s", typeOf(f.Normalizer), Supported)
	}
	if !isNull(f.Truncation) {
		return nil, fmt.Errorf("truncation is set; tick never cuts text: set \"truncation\" to null")
	}
	if !isNull(f.Padding) {
		return nil, fmt.Errorf("padding is set; tick never pads: set \"padding\" to null")
	}
	pattern, err := parsePreTokenizer(f.PreTokenizer)
	if err != nil {
		return nil, err
	}
	if err := checkDecoder(f.Decoder); err != nil {
		return nil, err
	}
	if err := checkPostProcessor(f.PostProcessor); err != nil {
		return nil, err
	}
	merges, err := parseMerges(m.Merges)
	if err != nil {
		return nil, err
	}
	t, err := build(name, pattern, m.Vocab, merges, m.IgnoreMerges, f.AddedTokens)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return t, nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// typeOf names a component for an error: its "type", or its JSON.
func typeOf(raw json.RawMessage) string {
	var c component
	if json.Unmarshal(raw, &c) == nil && c.Type != "" {
		return c.Type
	}
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// parseMerges reads both forms of the merges list: the older strings
// "Ġ t" (split at the first space) and the newer pairs ["Ġ", "t"].
func parseMerges(raw json.RawMessage) ([][2]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var strs []string
	if err := json.Unmarshal(raw, &strs); err == nil {
		out := make([][2]string, len(strs))
		for i, s := range strs {
			l, r, ok := strings.Cut(s, " ")
			if !ok || l == "" || r == "" {
				return nil, fmt.Errorf("model merge %d %q is not two tokens separated by a space", i, s)
			}
			out[i] = [2]string{l, r}
		}
		return out, nil
	}
	var pairs [][]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("model merges is neither a list of \"a b\" strings nor a list of [\"a\", \"b\"] pairs")
	}
	out := make([][2]string, len(pairs))
	for i, p := range pairs {
		if len(p) != 2 || p[0] == "" || p[1] == "" {
			return nil, fmt.Errorf("model merge %d has %d parts %q; a merge is a pair of tokens", i, len(p), p)
		}
		out[i] = [2]string{p[0], p[1]}
	}
	return out, nil
}

// parsePreTokenizer accepts GPT-2's ByteLevel (its own regex), or a
// Sequence of a Split on a supported pattern and a ByteLevel without regex,
// or a ByteLevel without regex alone (no split).
func parsePreTokenizer(raw json.RawMessage) (split.Pattern, error) {
	if isNull(raw) {
		return split.None, fmt.Errorf("pre_tokenizer is null (the text would not be mapped to the byte-level alphabet); %s", Supported)
	}
	var c component
	if err := json.Unmarshal(raw, &c); err != nil {
		return split.None, fmt.Errorf("pre_tokenizer: %w", err)
	}
	steps := []component{c}
	if c.Type == "Sequence" {
		steps = steps[:0]
		for _, r := range c.PreTokenizers {
			var s component
			if err := json.Unmarshal(r, &s); err != nil {
				return split.None, fmt.Errorf("pre_tokenizer: %w", err)
			}
			steps = append(steps, s)
		}
	}
	pattern, haveSplit := split.None, false
	for i, s := range steps {
		last := i == len(steps)-1
		switch s.Type {
		case "Split":
			if haveSplit || last {
				return split.None, fmt.Errorf("pre_tokenizer Split must be followed by ByteLevel; %s", Supported)
			}
			re, ok := s.Pattern["Regex"]
			if !ok {
				return split.None, fmt.Errorf("pre_tokenizer Split pattern %v is not a Regex; %s", s.Pattern, Supported)
			}
			p, ok := patterns[re]
			if !ok {
				return split.None, fmt.Errorf("pre_tokenizer Split pattern %q is not one tick's scanners implement; %s", re, Supported)
			}
			if s.Behavior != "Isolated" || s.Invert {
				return split.None, fmt.Errorf("pre_tokenizer Split behavior %q (invert %v) is not supported: want Isolated, invert false", s.Behavior, s.Invert)
			}
			pattern, haveSplit = p, true
		case "ByteLevel":
			if !last {
				return split.None, fmt.Errorf("pre_tokenizer ByteLevel must come last; %s", Supported)
			}
			if s.AddPrefixSpace == nil || *s.AddPrefixSpace {
				return split.None, fmt.Errorf("pre_tokenizer ByteLevel add_prefix_space must be false (a space put before the text is not supported); %s", Supported)
			}
			useRegex := s.UseRegex == nil || *s.UseRegex // Hugging Face's default is true
			switch {
			case useRegex && haveSplit:
				return split.None, fmt.Errorf("pre_tokenizer ByteLevel use_regex is true after a Split (two splits); %s", Supported)
			case useRegex:
				pattern = split.GPT2
			}
		default:
			return split.None, fmt.Errorf("pre_tokenizer %s is not supported; %s", s.Type, Supported)
		}
	}
	if len(steps) == 0 {
		return split.None, fmt.Errorf("pre_tokenizer Sequence is empty; %s", Supported)
	}
	return pattern, nil
}

// checkDecoder accepts ByteLevel, alone or in a Sequence, and null.
func checkDecoder(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	var c component
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("decoder: %w", err)
	}
	switch c.Type {
	case "ByteLevel":
		return nil
	case "Sequence":
		for _, r := range c.Decoders {
			if err := checkDecoder(r); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("decoder %s is not supported; %s", c.Type, Supported)
}

// checkPostProcessor accepts what GPT-2 and Llama 3 use. A post-processor
// only adds template tokens (Llama 3's <|begin_of_text|>) and offsets, which
// tick's Encode leaves out (see Tokenizer.Encode).
func checkPostProcessor(raw json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	var c component
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("post_processor: %w", err)
	}
	switch c.Type {
	case "ByteLevel", "TemplateProcessing":
		return nil
	case "Sequence":
		for _, r := range c.Processors {
			if err := checkPostProcessor(r); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("post_processor %s is not supported; %s", c.Type, Supported)
}
