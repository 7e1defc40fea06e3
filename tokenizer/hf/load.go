package hf

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tick-llm/tick/internal/inputfile"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/split"
)

// Files a Hugging Face model folder keeps its tokenizer in, in the order
// Load looks for them.
const (
	TokenizerJSON = "tokenizer.json"
	MetaTokenizer = "original/tokenizer.model" // Meta's Llama 3 release: a tiktoken rank file
	VocabJSON     = "vocab.json"               // GPT-2's original pair, with MergesTxt
	MergesTxt     = "merges.txt"
)

// Load reads the tokenizer of a Hugging Face model folder: tokenizer.json
// if there is one; else Meta's original/tokenizer.model (tick's llama3
// encoding); else GPT-2's vocab.json and merges.txt. dir may also be the
// path of a tokenizer.json itself. What tick does not implement is a
// one-line error that names it.
func Load(dir string) (tokenizer.Tokenizer, error) {
	if st, err := os.Stat(dir); err == nil && st.Mode().IsRegular() {
		return LoadJSON(dir)
	}
	path := filepath.Join(dir, TokenizerJSON)
	if exists(path) {
		return LoadJSON(path)
	}
	if meta := filepath.Join(dir, filepath.FromSlash(MetaTokenizer)); exists(meta) {
		enc, err := tokenizer.LoadLlama3(meta)
		if err != nil {
			return nil, err
		}
		return tokenizer.ForEncoding(enc), nil
	}
	vocab, merges := filepath.Join(dir, VocabJSON), filepath.Join(dir, MergesTxt)
	if exists(vocab) || exists(merges) {
		return loadGPT2Files(dir, vocab, merges)
	}
	return nil, fmt.Errorf("%s has no tokenizer: looked for %s, %s and %s + %s; download the model folder whole (git clone of its Hugging Face repository)",
		dir, TokenizerJSON, MetaTokenizer, VocabJSON, MergesTxt)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// LoadJSON reads one tokenizer.json file.
func LoadJSON(path string) (*Tokenizer, error) {
	data, err := inputfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tokenizer: %w", err)
	}
	t, err := parseJSON(nameOf(path), data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// nameOf names a tokenizer after its model folder.
func nameOf(path string) string {
	dir := filepath.Dir(path)
	if filepath.Base(path) != TokenizerJSON && filepath.Base(path) != VocabJSON {
		dir = path
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		dir = abs
	}
	return "hf:" + filepath.Base(dir)
}

// loadGPT2Files reads GPT-2's vocab.json (token -> ID) and merges.txt (a
// "#version" line, then one "a b" merge per line), as GPT2Tokenizer does:
// GPT-2's regex, no ignore_merges, and <|endoftext|> (in the vocab) as the
// special token.
func loadGPT2Files(dir, vocabPath, mergesPath string) (*Tokenizer, error) {
	vb, err := inputfile.ReadFile(vocabPath)
	if err != nil {
		return nil, fmt.Errorf("read tokenizer: %w (a GPT-2 folder without tokenizer.json needs both %s and %s)", err, VocabJSON, MergesTxt)
	}
	mb, err := inputfile.ReadFile(mergesPath)
	if err != nil {
		return nil, fmt.Errorf("read tokenizer: %w (a GPT-2 folder without tokenizer.json needs both %s and %s)", err, VocabJSON, MergesTxt)
	}
	var vocab map[string]int
	if err := json.Unmarshal(vb, &vocab); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object of token -> ID: %v", vocabPath, err)
	}
	var merges [][2]string
	sc := bufio.NewScanner(bytes.NewReader(mb))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimRight(sc.Text(), "\r")
		if line == 1 && strings.HasPrefix(s, "#version") || s == "" {
			continue
		}
		l, r, ok := strings.Cut(s, " ")
		if !ok || l == "" || r == "" || strings.Contains(r, " ") {
			return nil, fmt.Errorf("%s line %d: %q is not two tokens separated by one space", mergesPath, line, s)
		}
		merges = append(merges, [2]string{l, r})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", mergesPath, err)
	}
	var added []addedToken
	if id, ok := vocab["<|endoftext|>"]; ok {
		added = append(added, addedToken{ID: id, Content: "<|endoftext|>", Special: true})
	}
	t, err := build(nameOf(vocabPath), split.GPT2, vocab, merges, false, added)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return t, nil
}
