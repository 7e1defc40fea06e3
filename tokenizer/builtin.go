package tokenizer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pkoukk/tiktoken-go-loader/assets"

	"github.com/tick-llm/tick/internal/inputfile"
	"github.com/tick-llm/tick/tokenizer/split"
)

// builtin describes one of OpenAI's encodings. The special token IDs are
// those of tiktoken_ext/openai_public.py in github.com/openai/tiktoken.
type builtin struct {
	file     string // in the embedded assets
	pattern  split.Pattern
	specials map[string]int

	once sync.Once // loads enc on first use; after that enc is shared read-only
	enc  *Encoding
	err  error
}

const (
	endOfText   = "<|endoftext|>"
	fimPrefix   = "<|fim_prefix|>"
	fimMiddle   = "<|fim_middle|>"
	fimSuffix   = "<|fim_suffix|>"
	endOfPrompt = "<|endofprompt|>"
)

// builtins is written only at package initialisation; each entry loads
// itself once, so concurrent Gets are safe and cheap.
var builtins = map[string]*builtin{
	"r50k_base": {file: "r50k_base.tiktoken", pattern: split.GPT2,
		specials: map[string]int{endOfText: 50256}},
	"p50k_base": {file: "p50k_base.tiktoken", pattern: split.GPT2,
		specials: map[string]int{endOfText: 50256}},
	"cl100k_base": {file: "cl100k_base.tiktoken", pattern: split.CL100K,
		specials: map[string]int{endOfText: 100257, fimPrefix: 100258, fimMiddle: 100259, fimSuffix: 100260, endOfPrompt: 100276}},
	"o200k_base": {file: "o200k_base.tiktoken", pattern: split.O200K,
		specials: map[string]int{endOfText: 199999, endOfPrompt: 200018}},
}

// Builtins returns the names of the built-in encodings, oldest first.
func Builtins() []string {
	return []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"}
}

// Get returns an encoding by name:
//
//   - "r50k_base", "p50k_base", "cl100k_base", "o200k_base": OpenAI's, built in;
//   - "llama3:PATH": Meta's Llama 3 tokenizer.model at PATH;
//   - PATH (a .tiktoken rank file): with the pattern and special tokens of
//     its JSON sidecar, PATH without ".tiktoken" plus ".json", such as
//     {"pattern":"cl100k","special_tokens":{"<|endoftext|>":4096}}.
//
// Built-in encodings are loaded once per process and shared.
func Get(name string) (*Encoding, error) {
	if b, ok := builtins[name]; ok {
		b.once.Do(func() { b.enc, b.err = loadBuiltin(name, b) })
		return b.enc, b.err
	}
	if path, ok := strings.CutPrefix(name, "llama3:"); ok {
		return LoadLlama3(path)
	}
	if strings.HasSuffix(name, ".tiktoken") || strings.ContainsRune(name, filepath.Separator) || strings.ContainsRune(name, '/') {
		return loadWithSidecar(name)
	}
	return nil, fmt.Errorf("unknown encoding %q: use one of %s, llama3:PATH (Meta's tokenizer.model) or the path of a .tiktoken file", name, strings.Join(Builtins(), ", "))
}

func loadBuiltin(name string, b *builtin) (*Encoding, error) {
	data, err := assets.Assets.ReadFile(b.file)
	if err != nil {
		return nil, fmt.Errorf("built-in encoding %s: %w", name, err)
	}
	return fromRankData(name, data, b.pattern, b.specials)
}

// fromRankData parses rank-file contents into an Encoding.
func fromRankData(name string, data []byte, pattern split.Pattern, specials map[string]int) (*Encoding, error) {
	v, err := parseVocab(data)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", name, err)
	}
	return newEncoding(name, v, pattern, specials)
}

// parseVocab parses rank-file contents into a vocab.
func parseVocab(data []byte) (*vocab, error) {
	slab, lines, err := parseRankFile(data)
	if err != nil {
		return nil, err
	}
	return newVocab(slab, lines)
}

// Load reads a tiktoken rank file and builds an Encoding with the given
// split pattern and special tokens (nil for none). The encoding is named
// after the file.
func Load(path string, pattern split.Pattern, specials map[string]int) (*Encoding, error) {
	data, err := readRankFile(path)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(path), ".tiktoken")
	enc, err := fromRankData(name, data, pattern, specials)
	if err != nil {
		return nil, &RankFileError{Path: path, Err: err}
	}
	return enc, nil
}

func readRankFile(path string) ([]byte, error) {
	data, err := readRegular(path, "a .tiktoken rank file")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &RankFileError{Path: path, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read rank file: %w", err)
	}
	return data, nil
}

// readRegular reads a file that must be a regular file (see package
// inputfile): a rank file or sidecar that is /dev/zero, a FIFO or a folder
// is an error saying so, and want says what to give instead.
func readRegular(path, want string) ([]byte, error) {
	data, err := inputfile.ReadFile(path)
	var nr *inputfile.NotRegularError
	if errors.As(err, &nr) {
		return nil, fmt.Errorf("%w: give %s", nr, want)
	}
	return data, err
}

// RankFileError is the error of Load (and of Get for a rank file's path)
// when the rank file does not exist or is not in tiktoken's format. Its
// message names package bpe, which trains and saves rank files; a command
// line can use Path to name its own commands instead.
type RankFileError struct {
	Path string
	// Err is what is wrong: an error matching fs.ErrNotExist if there is no
	// such file, else the first problem found, naming its line.
	Err error
}

func (e *RankFileError) Error() string {
	if errors.Is(e.Err, fs.ErrNotExist) {
		return fmt.Sprintf("rank file %s does not exist: check the path, or train one (package bpe: Train, then Vocab.Save)", e.Path)
	}
	return fmt.Sprintf("%s is not a usable tiktoken rank file: %v; check that it is a .tiktoken file (lines of \"base64(token) rank\", as bpe's Vocab.Save writes)", e.Path, e.Err)
}

func (e *RankFileError) Unwrap() error { return e.Err }

// Sidecar is the JSON file next to a .tiktoken rank file that says how to
// use it: {"pattern":"cl100k","special_tokens":{"<|endoftext|>":4096}}.
type Sidecar struct {
	Pattern       string         `json:"pattern"`
	SpecialTokens map[string]int `json:"special_tokens"`
	// RankFileSHA256, if set, is the SHA-256 (hex) of the rank file the
	// sidecar was written for, so that a sidecar beside another rank file
	// (a save interrupted between the two) is detected at loading instead
	// of silently splitting with the wrong pattern.
	RankFileSHA256 string `json:"rank_file_sha256,omitempty"`
}

// SidecarPath returns where the sidecar of rank file path lives.
func SidecarPath(path string) string {
	return strings.TrimSuffix(path, ".tiktoken") + ".json"
}

func loadWithSidecar(path string) (*Encoding, error) {
	// The rank file first: a sidecar is no use without it.
	if _, err := inputfile.Check(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("rank file %s does not exist: check the path, or use a built-in encoding (%s)", path, strings.Join(Builtins(), ", "))
	} else if err != nil {
		return nil, fmt.Errorf("read rank file: %w: give a .tiktoken rank file", err)
	}
	sc := SidecarPath(path)
	data, err := readRegular(sc, "a JSON sidecar such as "+SidecarExample)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &SidecarError{RankFile: path, Path: sc, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read sidecar: %w", err)
	}
	var s Sidecar
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, &SidecarError{RankFile: path, Path: sc, Err: err}
	}
	// A missing "pattern" would read as "" and split nothing: say so
	// instead of silently encoding every piece of text whole.
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil || fields["pattern"] == nil {
		return nil, fmt.Errorf("sidecar %s has no \"pattern\" field: add the split pattern the vocabulary was trained with, e.g. %s (\"none\" for no split)", sc, SidecarExample)
	}
	pat, err := split.Parse(s.Pattern)
	if err != nil {
		return nil, fmt.Errorf("sidecar %s: %w (fix its \"pattern\" field)", sc, err)
	}
	if s.RankFileSHA256 == "" {
		return Load(path, pat, s.SpecialTokens)
	}
	ranks, err := readRankFile(path)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(ranks); hex.EncodeToString(sum[:]) != strings.ToLower(s.RankFileSHA256) {
		return nil, &SidecarMismatchError{RankFile: path, Sidecar: sc}
	}
	enc, err := fromRankData(strings.TrimSuffix(filepath.Base(path), ".tiktoken"), ranks, pat, s.SpecialTokens)
	if err != nil {
		return nil, &RankFileError{Path: path, Err: err}
	}
	return enc, nil
}

// SidecarMismatchError is the error of Get for a rank file whose sidecar
// was written for another rank file (its RankFileSHA256 differs).
type SidecarMismatchError struct {
	RankFile string // the .tiktoken file
	Sidecar  string // its sidecar, SidecarPath(RankFile)
}

func (e *SidecarMismatchError) Error() string {
	return fmt.Sprintf("rank file %s and its sidecar %s do not belong together: the sidecar records the SHA-256 of another rank file (a save was interrupted between the two, or one was replaced without the other); save the vocabulary again (package bpe: Vocab.Save), or delete \"rank_file_sha256\" from the sidecar if the rank file was changed on purpose", e.RankFile, e.Sidecar)
}

// SidecarExample is what a sidecar looks like, for error messages.
const SidecarExample = `{"pattern":"cl100k","special_tokens":{}}`

// SidecarError is the error of Get for a rank file whose sidecar is missing
// or is not valid JSON, so the split pattern is unknown. Its message names
// Load, which takes the pattern instead; a command line can use the fields
// to name its own flags.
type SidecarError struct {
	RankFile string // the .tiktoken file
	Path     string // its sidecar, SidecarPath(RankFile)
	// Err matches fs.ErrNotExist if there is no sidecar; else it is the
	// JSON error.
	Err error
}

func (e *SidecarError) Error() string {
	if errors.Is(e.Err, fs.ErrNotExist) {
		return fmt.Sprintf("%s has no sidecar %s: load it with Load and its split pattern (split.GPT2, CL100K, O200K or None), or write the sidecar, e.g. %s", e.RankFile, e.Path, SidecarExample)
	}
	return fmt.Sprintf("sidecar %s is not valid JSON (%v): fix it to read like %s, or delete it and load the rank file with Load and its split pattern", e.Path, e.Err, SidecarExample)
}

func (e *SidecarError) Unwrap() error { return e.Err }

// LoadLlama3 loads Meta's Llama 3 tokenizer.model: a tiktoken rank file
// (128,000 ranks) used with cl100k's split pattern and 256 special tokens
// numbered from the number of ranks, as Meta's llama/tokenizer.py builds
// them (github.com/meta-llama/llama3).
func LoadLlama3(path string) (*Encoding, error) {
	data, err := readRegular(path, "the original/tokenizer.model file of a Llama 3 release")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("llama3 tokenizer %s does not exist: download tokenizer.model from Meta's Llama 3 release (original/tokenizer.model) and pass llama3:PATH", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read llama3 tokenizer: %w", err)
	}
	v, err := parseVocab(data)
	if err != nil {
		return nil, fmt.Errorf("llama3 tokenizer %s is not a tiktoken-format tokenizer.model: %w; pass the original/tokenizer.model file of a Llama 3 release", path, err)
	}
	enc, err := newEncoding("llama3", v, split.CL100K, Llama3SpecialTokens(v.count))
	if err != nil {
		return nil, fmt.Errorf("llama3 tokenizer %s: %w", path, err)
	}
	return enc, nil
}

// Llama3SpecialTokens returns Llama 3's 256 special tokens numbered from
// numBase (the number of mergeable ranks, 128,000 in Meta's file), in the
// order of Meta's tokenizer.py:
//
//	special_tokens = ["<|begin_of_text|>", "<|end_of_text|>",
//	    "<|reserved_special_token_0|>", ... "<|reserved_special_token_3|>",
//	    "<|start_header_id|>", "<|end_header_id|>",
//	    "<|reserved_special_token_4|>", "<|eot_id|>"] +
//	    [f"<|reserved_special_token_{i}|>" for i in range(5, 256 - 5)]
func Llama3SpecialTokens(numBase int) map[string]int {
	names := []string{
		"<|begin_of_text|>",
		"<|end_of_text|>",
		"<|reserved_special_token_0|>",
		"<|reserved_special_token_1|>",
		"<|reserved_special_token_2|>",
		"<|reserved_special_token_3|>",
		"<|start_header_id|>",
		"<|end_header_id|>",
		"<|reserved_special_token_4|>",
		"<|eot_id|>", // end of turn
	}
	for i := 5; i < 256-5; i++ {
		names = append(names, fmt.Sprintf("<|reserved_special_token_%d|>", i))
	}
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = numBase + i
	}
	return m
}
