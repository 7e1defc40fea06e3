package bpe

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tick-llm/tick/tokenizer"
)

// Save writes the vocabulary as a tiktoken rank file at path (which should
// end in ".tiktoken"), one "base64(token) rank" line per token in rank order,
// and next to it the JSON sidecar tokenizer.SidecarPath(path) giving the
// split pattern and the special tokens:
//
//	{"pattern":"cl100k","special_tokens":{"<|endoftext|>":4096}}
//
// tokenizer.Get(path) loads the pair back. Each file is written to a
// temporary file in the same folder, flushed to disk and renamed, so a crash
// never leaves a half-written vocabulary behind.
func (v *Vocab) Save(path string) error {
	if !strings.HasSuffix(path, ".tiktoken") {
		return fmt.Errorf("output %s should end in .tiktoken (the sidecar .json is written next to it)", path)
	}
	err := writeAtomic(path, func(w io.Writer) error {
		return tokenizer.WriteRanks(w, v.Ranks())
	})
	if err != nil {
		return err
	}
	side := tokenizer.Sidecar{Pattern: v.Pattern.String(), SpecialTokens: v.Special}
	if side.SpecialTokens == nil {
		side.SpecialTokens = map[string]int{}
	}
	return writeAtomic(tokenizer.SidecarPath(path), func(w io.Writer) error {
		je := json.NewEncoder(w)
		je.SetEscapeHTML(false) // keep <|endoftext|> readable
		je.SetIndent("", "  ")
		return je.Encode(side)
	})
}

// writeAtomic writes a file through a temporary file in the same folder
// (renaming across folders may not be atomic), synced before the rename.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w (check that the folder exists and is writable)", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file private (0600); a vocabulary is for sharing.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Sync the folder too, so the rename itself survives a crash. Not every
	// system can open a folder for syncing; the file is written either way.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
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
