package bpe

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/tokenizer"
)

// Save writes the vocabulary as a tiktoken rank file at path (which should
// end in ".tiktoken"), one "base64(token) rank" line per token in rank order,
// and next to it the JSON sidecar tokenizer.SidecarPath(path) giving the
// split pattern and the special tokens:
//
//	{"pattern":"cl100k","special_tokens":{"<|endoftext|>":4096}}
//
// tokenizer.Get(path) loads the pair back. Each file is written atomically
// (package atomicfile: a temporary file in the same folder, synced, then
// renamed), so a crash never leaves a half-written vocabulary behind.
func (v *Vocab) Save(path string) error {
	if !strings.HasSuffix(path, ".tiktoken") {
		return fmt.Errorf("output %s should end in .tiktoken (the sidecar .json is written next to it)", path)
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		return tokenizer.WriteRanks(w, v.Ranks())
	})
	if err != nil {
		return saveError(err)
	}
	side := tokenizer.Sidecar{Pattern: v.Pattern.String(), SpecialTokens: v.Special}
	if side.SpecialTokens == nil {
		side.SpecialTokens = map[string]int{}
	}
	err = atomicfile.Write(tokenizer.SidecarPath(path), func(w io.Writer) error {
		je := json.NewEncoder(w)
		je.SetEscapeHTML(false) // keep <|endoftext|> readable
		je.SetIndent("", "  ")
		return je.Encode(side)
	})
	return saveError(err)
}

// saveError adds advice when the temporary file could not even be created
// in the folder: the folder is missing, or not writable.
func saveError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "open" {
		return fmt.Errorf("%w (check that the folder exists and is writable)", err)
	}
	return err
}

// CheckSavePath reports, before a long training run, whether Save(path)
// could write there: path must end in ".tiktoken" and its folder must exist
// and be writable. It tries by creating and removing a temporary file.
func CheckSavePath(path string) error {
	if !strings.HasSuffix(path, ".tiktoken") {
		return fmt.Errorf("output %s should end in .tiktoken (the sidecar .json is written next to it)", path)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: folder %s does not exist; create it or choose another path", path, dir)
	}
	f, err := os.CreateTemp(dir, ".tick-check-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w (check that the folder exists and is writable)", path, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
