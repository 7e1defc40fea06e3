package tokenizer

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
)

// ForEncoding adapts a tiktoken-style byte-level BPE encoding to the
// Tokenizer a model reads. Text is encoded as ordinary text: a corpus that
// happens to spell "<|endoftext|>" trains on those characters, not on the
// special token.
func ForEncoding(enc *Encoding) Tokenizer { return encodingTokenizer{enc} }

type encodingTokenizer struct{ enc *Encoding }

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

// Spec is what a run folder stores to rebuild its tokenizer (SpecFile),
// with the bytes of a vocabulary file when there is one, so a model always
// travels with the tokenizer it was trained with.
type Spec struct {
	Kind   string `json:"kind"`             // "char" | "byte" | "encoding" | "file"
	Chars  string `json:"chars,omitempty"`  // char: the alphabet in id order
	Name   string `json:"name,omitempty"`   // encoding: a built-in name such as "cl100k_base"
	Prefix string `json:"prefix,omitempty"` // file: a Get prefix such as "llama3:"
	Source string `json:"source,omitempty"` // file: where the user's file was
	File   string `json:"file,omitempty"`   // file: its copy in the checkpoint, with its sidecar beside it

	vocab, sidecar []byte // file: the .tiktoken file and its optional .json sidecar
}

// SpecFile is the name of the tokenizer's description in a checkpoint.
const SpecFile = "tokenizer.json"

// vocabCopyName is the name a vocabulary file gets in a checkpoint: its own
// (an encoding loaded from a file is named after it), unless that would
// put its sidecar over tokenizer.json.
func vocabCopyName(source string) string {
	base := filepath.Base(source)
	if !strings.HasSuffix(base, ".tiktoken") || SidecarPath(base) == SpecFile {
		return "vocab.tiktoken"
	}
	return base
}

// Build builds the tokenizer named by spec for a corpus: "char" (the
// corpus's characters), "byte", a built-in encoding ("cl100k_base",
// "o200k_base", "p50k_base", "r50k_base"), or a .tiktoken file from
// `tick bpe train` ("llama3:PATH" also works). The Spec it returns is what
// Spec.Save writes next to a model.
func Build(spec, corpus string) (Tokenizer, Spec, error) {
	switch spec {
	case "char":
		t, err := NewChar(corpus)
		if err != nil {
			return nil, Spec{}, err
		}
		return t, Spec{Kind: "char", Chars: t.Chars()}, nil
	case "byte":
		return Byte{}, Spec{Kind: "byte"}, nil
	case "":
		return nil, Spec{}, fmt.Errorf("no tokenizer named: want char, byte, an encoding name such as cl100k_base, or a .tiktoken file")
	}
	prefix, path := "", spec
	if p, rest, ok := strings.Cut(spec, ":"); ok && p == "llama3" {
		prefix, path = p+":", rest
	}
	if prefix == "" && !strings.HasSuffix(spec, ".tiktoken") && !isFile(spec) {
		if !slices.Contains(Builtins(), spec) && !strings.ContainsRune(spec, '/') && !strings.ContainsRune(spec, filepath.Separator) {
			return nil, Spec{}, fmt.Errorf("unknown tokenizer %q: want char, byte, one of %s, llama3:PATH or the path of a .tiktoken file",
				spec, strings.Join(Builtins(), ", "))
		}
		enc, err := Get(spec)
		if err != nil {
			return nil, Spec{}, fmt.Errorf("tokenizer %q: %w", spec, err)
		}
		return encodingTokenizer{enc}, Spec{Kind: "encoding", Name: spec}, nil
	}
	vocab, err := readRegular(path, "a .tiktoken rank file")
	if err != nil {
		return nil, Spec{}, fmt.Errorf("tokenizer file: %w", err)
	}
	ts := Spec{Kind: "file", Prefix: prefix, Source: spec, File: vocabCopyName(path), vocab: vocab}
	side, err := readRegular(SidecarPath(path), "a JSON sidecar such as "+SidecarExample)
	if err == nil {
		ts.sidecar = side
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, Spec{}, fmt.Errorf("tokenizer sidecar: %w", err)
	}
	enc, err := Get(spec)
	if err != nil {
		return nil, Spec{}, fmt.Errorf("tokenizer %s: %w", spec, err)
	}
	if err := checkDense(enc); err != nil {
		return nil, Spec{}, fmt.Errorf("tokenizer %s: %w", spec, err)
	}
	return encodingTokenizer{enc}, ts, nil
}

// maxUnusedIDs is how many IDs a vocabulary for training may leave without
// a token: a few, as the built-in encodings do (cl100k_base leaves 16),
// and at most an eighth of its tokens.
func maxUnusedIDs(tokens int) int { return max(1024, tokens/8) }

// checkDense refuses an encoding for training whose IDs leave large gaps.
// A model has one embedding row (and one output logit) per ID up to the
// largest, used or not: a sidecar giving <|endoftext|> the ID 16777215
// would make a 1,000-token vocabulary a 16.7-million-row model, gigabytes
// of weights that no token ever reads.
func checkDense(enc *Encoding) error {
	n, size := enc.NumTokens(), enc.VocabSize()
	if size-n <= maxUnusedIDs(n) {
		return nil
	}
	maxRank := enc.vocab.maxRankPlus1() - 1
	where := fmt.Sprintf("give the special tokens in its sidecar the IDs from %d on, right after its last rank", maxRank+1)
	if maxRank+1 >= size {
		// The gap is in the ranks themselves.
		where = fmt.Sprintf("give its tokens the ranks 0..%d without gaps, as bpe's Vocab.Save writes them", enc.vocab.count-1)
	}
	return fmt.Errorf("its largest token ID is %d but it has only %d tokens: a model would need %d embedding rows, %d of them for IDs no token has; %s",
		size-1, n, size, size-n, where)
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// Save writes the tokenizer into a folder: SpecFile and, for a vocabulary
// file, its copy and sidecar. The folder is a temporary one that the caller
// renames into place whole, so the files are written directly.
func (ts Spec) Save(dir string) error {
	b, err := json.MarshalIndent(ts, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, SpecFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("save tokenizer: %w", err)
	}
	if ts.Kind != "file" {
		return nil
	}
	if err := os.WriteFile(filepath.Join(dir, ts.File), ts.vocab, 0o644); err != nil {
		return fmt.Errorf("save tokenizer: %w", err)
	}
	if ts.sidecar != nil {
		if err := os.WriteFile(filepath.Join(dir, SidecarPath(ts.File)), ts.sidecar, 0o644); err != nil {
			return fmt.Errorf("save tokenizer: %w", err)
		}
	}
	return nil
}

// LoadSaved rebuilds the tokenizer that Spec.Save wrote into dir.
func LoadSaved(dir string) (Tokenizer, Spec, error) {
	b, err := readRegular(filepath.Join(dir, SpecFile), "the checkpoint's own "+SpecFile)
	if err != nil {
		return nil, Spec{}, fmt.Errorf("load tokenizer: %w", err)
	}
	var ts Spec
	if err := json.Unmarshal(b, &ts); err != nil {
		return nil, Spec{}, fmt.Errorf("load tokenizer: %s: %w", filepath.Join(dir, SpecFile), err)
	}
	switch ts.Kind {
	case "char":
		if ts.Chars == "" {
			return nil, ts, fmt.Errorf("load tokenizer: %s has an empty alphabet", filepath.Join(dir, SpecFile))
		}
		chars := []rune(ts.Chars)
		// NewChar writes each character once, in code-point order: anything
		// else is a damaged file, not a text with unknown characters.
		for i := 1; i < len(chars); i++ {
			if chars[i] <= chars[i-1] {
				return nil, ts, fmt.Errorf("load tokenizer: %s is damaged: its alphabet has %q after %q, but a char tokenizer lists each character once in code-point order", filepath.Join(dir, SpecFile), chars[i], chars[i-1])
			}
		}
		return charOf(chars), ts, nil
	case "byte":
		return Byte{}, ts, nil
	case "encoding":
		enc, err := Get(ts.Name)
		if err != nil {
			return nil, ts, fmt.Errorf("load tokenizer: %w", err)
		}
		return encodingTokenizer{enc}, ts, nil
	case "file":
		if ts.File == "" || ts.File != filepath.Base(ts.File) || !strings.HasSuffix(ts.File, ".tiktoken") {
			return nil, ts, fmt.Errorf("load tokenizer: %s names no .tiktoken file in the checkpoint (%q)", filepath.Join(dir, SpecFile), ts.File)
		}
		path := filepath.Join(dir, ts.File)
		if ts.vocab, err = readRegular(path, "the checkpoint's own copy of the vocabulary"); err != nil {
			return nil, ts, fmt.Errorf("load tokenizer: %w", err)
		}
		side, err := readRegular(SidecarPath(path), "the checkpoint's own copy of the sidecar")
		switch {
		case err == nil:
			ts.sidecar = side
		case !errors.Is(err, fs.ErrNotExist):
			return nil, ts, fmt.Errorf("load tokenizer: %w", err)
		}
		enc, err := Get(ts.Prefix + path)
		if err != nil {
			return nil, ts, fmt.Errorf("load tokenizer: %w", err)
		}
		return encodingTokenizer{enc}, ts, nil
	}
	return nil, ts, fmt.Errorf("load tokenizer: unknown kind %q in %s", ts.Kind, filepath.Join(dir, SpecFile))
}
