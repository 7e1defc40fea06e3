package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tick-llm/tick/tokenizer"
)

// encodingTokenizer adapts a tiktoken-style byte-level BPE encoding. Text is
// encoded as ordinary text: a corpus that happens to spell "<|endoftext|>"
// trains on those characters, not on the special token.
type encodingTokenizer struct{ enc *tokenizer.Encoding }

func (t encodingTokenizer) Name() string   { return t.enc.Name() }
func (t encodingTokenizer) VocabSize() int { return t.enc.VocabSize() }
func (t encodingTokenizer) Encode(text string) ([]int, error) {
	return t.enc.EncodeOrdinary(text), nil
}

func (t encodingTokenizer) Decode(ids []int) []byte {
	if b, err := t.enc.Decode(ids); err == nil {
		return b
	}
	// Some id is unknown (a gap in the vocabulary): decode one at a time.
	var b []byte
	for _, id := range ids {
		tb, err := t.enc.TokenBytes(id)
		if err != nil {
			b = utf8.AppendRune(b, utf8.RuneError)
			continue
		}
		b = append(b, tb...)
	}
	return b
}

func (t encodingTokenizer) TokenBytes(id int) []byte {
	b, err := t.enc.TokenBytes(id)
	if err != nil {
		return nil
	}
	return b
}

// tokenizerSpec is what a checkpoint stores to rebuild its tokenizer
// (tokenizer.json), with the bytes of a vocabulary file when there is one.
type tokenizerSpec struct {
	Kind   string `json:"kind"`             // "char" | "byte" | "encoding" | "file"
	Chars  string `json:"chars,omitempty"`  // char: the alphabet in id order
	Name   string `json:"name,omitempty"`   // encoding: a built-in name such as "cl100k_base"
	Prefix string `json:"prefix,omitempty"` // file: a tokenizer.Get prefix such as "llama3:"
	Source string `json:"source,omitempty"` // file: where the user's file was
	File   string `json:"file,omitempty"`   // file: its copy in the checkpoint, with its sidecar beside it

	vocab, sidecar []byte // file: the .tiktoken file and its optional .json sidecar
}

// tokenizerFile is the tokenizer's description in a checkpoint.
const tokenizerFile = "tokenizer.json"

// vocabCopyName is the name a vocabulary file gets in a checkpoint: its own
// (an encoding loaded from a file is named after it), unless that would
// put its sidecar over tokenizer.json.
func vocabCopyName(source string) string {
	base := filepath.Base(source)
	if !strings.HasSuffix(base, ".tiktoken") || tokenizer.SidecarPath(base) == tokenizerFile {
		return "vocab.tiktoken"
	}
	return base
}

// NewTokenizer builds the tokenizer named by spec for a corpus: "char" (the
// corpus's characters), "byte", a built-in encoding ("cl100k_base",
// "o200k_base", "p50k_base", "r50k_base"), or a .tiktoken file from
// `tick bpe train` ("llama3:PATH" also works).
func NewTokenizer(spec, corpus string) (Tokenizer, error) {
	tok, _, err := newTokenizer(spec, corpus)
	return tok, err
}

func newTokenizer(spec, corpus string) (Tokenizer, tokenizerSpec, error) {
	switch spec {
	case "char":
		t, err := NewCharTokenizer(corpus)
		if err != nil {
			return nil, tokenizerSpec{}, err
		}
		return t, tokenizerSpec{Kind: "char", Chars: t.Chars()}, nil
	case "byte":
		return ByteTokenizer{}, tokenizerSpec{Kind: "byte"}, nil
	case "":
		return nil, tokenizerSpec{}, fmt.Errorf("no tokenizer given: use --tokenizer char, byte, an encoding name such as cl100k_base, or a .tiktoken file")
	}
	prefix, path := "", spec
	if p, rest, ok := strings.Cut(spec, ":"); ok && p == "llama3" {
		prefix, path = p+":", rest
	}
	if prefix == "" && !strings.HasSuffix(spec, ".tiktoken") && !isFile(spec) {
		if !slices.Contains(tokenizer.Builtins(), spec) && !strings.ContainsRune(spec, '/') && !strings.ContainsRune(spec, filepath.Separator) {
			return nil, tokenizerSpec{}, fmt.Errorf("unknown tokenizer %q: use char, byte, one of %s, llama3:PATH or the path of a .tiktoken file",
				spec, strings.Join(tokenizer.Builtins(), ", "))
		}
		enc, err := tokenizer.Get(spec)
		if err != nil {
			return nil, tokenizerSpec{}, fmt.Errorf("tokenizer %q: %w", spec, err)
		}
		return encodingTokenizer{enc}, tokenizerSpec{Kind: "encoding", Name: spec}, nil
	}
	vocab, err := os.ReadFile(path)
	if err != nil {
		return nil, tokenizerSpec{}, fmt.Errorf("tokenizer file: %w", err)
	}
	ts := tokenizerSpec{Kind: "file", Prefix: prefix, Source: spec, File: vocabCopyName(path), vocab: vocab}
	side, err := os.ReadFile(tokenizer.SidecarPath(path))
	if err == nil {
		ts.sidecar = side
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, tokenizerSpec{}, fmt.Errorf("tokenizer sidecar: %w", err)
	}
	enc, err := tokenizer.Get(spec)
	if err != nil {
		return nil, tokenizerSpec{}, fmt.Errorf("tokenizer %s: %w", spec, err)
	}
	return encodingTokenizer{enc}, ts, nil
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// save writes the tokenizer into a checkpoint folder.
func (ts tokenizerSpec) save(dir string) error {
	b, err := json.MarshalIndent(ts, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, tokenizerFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("save tokenizer: %w", err)
	}
	if ts.Kind != "file" {
		return nil
	}
	if err := os.WriteFile(filepath.Join(dir, ts.File), ts.vocab, 0o644); err != nil {
		return fmt.Errorf("save tokenizer: %w", err)
	}
	if ts.sidecar != nil {
		if err := os.WriteFile(filepath.Join(dir, tokenizer.SidecarPath(ts.File)), ts.sidecar, 0o644); err != nil {
			return fmt.Errorf("save tokenizer: %w", err)
		}
	}
	return nil
}

// loadTokenizer rebuilds the tokenizer saved in a checkpoint folder.
func loadTokenizer(dir string) (Tokenizer, tokenizerSpec, error) {
	b, err := os.ReadFile(filepath.Join(dir, tokenizerFile))
	if err != nil {
		return nil, tokenizerSpec{}, fmt.Errorf("load tokenizer: %w", err)
	}
	var ts tokenizerSpec
	if err := json.Unmarshal(b, &ts); err != nil {
		return nil, tokenizerSpec{}, fmt.Errorf("load tokenizer: %s: %w", filepath.Join(dir, tokenizerFile), err)
	}
	switch ts.Kind {
	case "char":
		if ts.Chars == "" {
			return nil, ts, fmt.Errorf("load tokenizer: %s has an empty alphabet", filepath.Join(dir, tokenizerFile))
		}
		return charTokenizerOf([]rune(ts.Chars)), ts, nil
	case "byte":
		return ByteTokenizer{}, ts, nil
	case "encoding":
		enc, err := tokenizer.Get(ts.Name)
		if err != nil {
			return nil, ts, fmt.Errorf("load tokenizer: %w", err)
		}
		return encodingTokenizer{enc}, ts, nil
	case "file":
		if ts.File == "" || ts.File != filepath.Base(ts.File) || !strings.HasSuffix(ts.File, ".tiktoken") {
			return nil, ts, fmt.Errorf("load tokenizer: %s names no .tiktoken file in the checkpoint (%q)", filepath.Join(dir, tokenizerFile), ts.File)
		}
		path := filepath.Join(dir, ts.File)
		if ts.vocab, err = os.ReadFile(path); err != nil {
			return nil, ts, fmt.Errorf("load tokenizer: %w", err)
		}
		if side, err := os.ReadFile(tokenizer.SidecarPath(path)); err == nil {
			ts.sidecar = side
		}
		enc, err := tokenizer.Get(ts.Prefix + path)
		if err != nil {
			return nil, ts, fmt.Errorf("load tokenizer: %w", err)
		}
		return encodingTokenizer{enc}, ts, nil
	}
	return nil, ts, fmt.Errorf("load tokenizer: unknown kind %q in %s", ts.Kind, filepath.Join(dir, tokenizerFile))
}
