// Package tiktokenref gives tick's independent reference tokenizer:
// tiktoken-go, a Go port of OpenAI's tiktoken built on the regexp2 engine,
// reading the official rank files from tiktoken-go-loader's embedded copies
// (no download). tick's own encoder is checked against it in tests, in
// `tick tokenize --compare` and in `tick bench tokenizer`.
package tiktokenref

import (
	"fmt"
	"sync"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// Encodings are the encodings tiktoken-go can load offline.
var Encodings = []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"}

var loader sync.Once

// Get returns tiktoken-go's encoding of that name.
func Get(name string) (*tiktoken.Tiktoken, error) {
	loader.Do(func() { tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader()) })
	ref, err := tiktoken.GetEncoding(name)
	if err != nil {
		return nil, fmt.Errorf("tiktoken-go %s: %w", name, err)
	}
	return ref, nil
}

// EncodeOrdinary is tiktoken-go's encoding of text with no special tokens
// (tiktoken's encode_ordinary). tiktoken-go reads text as Go strings of
// runes, so invalid UTF-8 reaches it as U+FFFD: compare only valid UTF-8.
func EncodeOrdinary(name, text string) ([]int, error) {
	ref, err := Get(name)
	if err != nil {
		return nil, err
	}
	return ref.EncodeOrdinary(text), nil
}
