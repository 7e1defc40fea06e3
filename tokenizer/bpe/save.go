package bpe

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/tokenizer"
)

// Save writes the vocabulary as a tiktoken rank file at path (which should
// end in ".tiktoken"), one "base64(token) rank" line per token in rank order,
// and next to it the JSON sidecar tokenizer.SidecarPath(path) giving the
// split pattern, the special tokens and the SHA-256 of the rank file:
//
//	{"pattern":"cl100k","special_tokens":{"<|endoftext|>":4096},"rank_file_sha256":"9f2c…"}
//
// tokenizer.Get(path) loads the pair back. A file already at the sidecar's
// path that is not a sidecar (package.json beside package.tiktoken) is
// never replaced: that is a *NotSidecarError.
//
// The two files are committed as a pair, so that a crash, a full disk or a
// failing fsync leaves either both old or both new:
//
//  1. both are written under temporary names beside their destinations and
//     synced (package atomicfile); any failure here removes them and leaves
//     the old pair as it was;
//  2. the sidecar is renamed into place, then the rank file;
//  3. if the second rename fails, the old sidecar is put back (or the new
//     one removed, if there was none).
//
// Between the two renames (a kill there), the new sidecar sits beside the
// old rank file; it records the SHA-256 of the new rank file, so loading
// the pair fails saying they do not belong together
// (tokenizer.SidecarMismatchError) instead of encoding with a pattern the
// rank file was not trained with. Renaming the rank file first would leave
// the old sidecar beside the new rank file, and an old sidecar may carry no
// checksum to catch that with.
func (v *Vocab) Save(path string) error {
	if err := checkSavePaths(path); err != nil {
		return err
	}
	sidePath := tokenizer.SidecarPath(path)
	oldSide, err := os.ReadFile(sidePath) // nil if there is none: checked above
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("save %s: %w", path, err)
	}

	sum := sha256.New()
	ranks, err := atomicfile.Prepare(path, func(w io.Writer) error {
		return tokenizer.WriteRanks(io.MultiWriter(w, sum), v.Ranks())
	})
	if err != nil {
		return saveError(err)
	}
	defer ranks.Abort()
	side := tokenizer.Sidecar{Pattern: v.Pattern.String(), SpecialTokens: v.Special, RankFileSHA256: hex.EncodeToString(sum.Sum(nil))}
	if side.SpecialTokens == nil {
		side.SpecialTokens = map[string]int{}
	}
	sidecar, err := atomicfile.Prepare(sidePath, func(w io.Writer) error {
		je := json.NewEncoder(w)
		je.SetEscapeHTML(false) // keep <|endoftext|> readable
		je.SetIndent("", "  ")
		return je.Encode(side)
	})
	if err != nil {
		return saveError(err)
	}
	defer sidecar.Abort()

	if err := sidecar.Commit(); err != nil {
		return saveError(err)
	}
	if err := ranks.Commit(); err != nil {
		var undo error
		if oldSide == nil {
			undo = os.Remove(sidePath)
		} else {
			undo = atomicfile.WriteFile(sidePath, oldSide)
		}
		if undo != nil {
			return fmt.Errorf("%w; the old sidecar could not be put back (%v), so %s now belongs to a rank file that is not there, which loading reports: save again", err, undo, sidePath)
		}
		return err
	}
	return nil
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

// NotSidecarError says that saving a vocabulary would replace a file that
// is not a tokenizer sidecar: the sidecar of RankFile goes to Path, which
// holds something else (Why says what).
type NotSidecarError struct {
	RankFile, Path, Why string
}

func (e *NotSidecarError) Error() string {
	return fmt.Sprintf("%s exists and is not a tokenizer sidecar (%s), and saving %s would replace it with its sidecar: rename that file, or save the vocabulary under another name",
		e.Path, e.Why, e.RankFile)
}

// maxSidecar bounds how much of an existing file is read to tell whether
// it is a sidecar: real ones are a few hundred bytes.
const maxSidecar = 1 << 20

// sidecarKeys are the fields a sidecar may have (tokenizer.Sidecar).
var sidecarKeys = map[string]bool{"pattern": true, "special_tokens": true, "rank_file_sha256": true}

// checkSavePaths refuses destinations Save must not write: a path not
// ending in .tiktoken, a folder at path, and a file at the sidecar's path
// that is not a sidecar (a JSON object with only a sidecar's fields).
func checkSavePaths(path string) error {
	if !strings.HasSuffix(path, ".tiktoken") {
		return fmt.Errorf("output %s should end in .tiktoken (the sidecar .json is written next to it)", path)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("output %s is a folder; give the path of a file ending in .tiktoken, e.g. %s", path, filepath.Join(path, "vocab.tiktoken"))
	}
	sidePath := tokenizer.SidecarPath(path)
	st, err := os.Stat(sidePath)
	if err != nil {
		return nil // nothing there (or no folder: writing it will say so)
	}
	notSidecar := func(why string) error { return &NotSidecarError{RankFile: path, Path: sidePath, Why: why} }
	switch {
	case st.IsDir():
		return notSidecar("it is a folder")
	case !st.Mode().IsRegular():
		return notSidecar("it is not a regular file")
	case st.Size() > maxSidecar:
		return notSidecar(fmt.Sprintf("%d bytes, far more than a sidecar", st.Size()))
	}
	b, err := os.ReadFile(sidePath)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		if len(bytes.TrimSpace(b)) == 0 {
			return nil // empty: nothing to lose
		}
		return notSidecar("not a JSON object")
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !sidecarKeys[k] {
			return notSidecar(fmt.Sprintf("it has a field %q", k))
		}
	}
	return nil
}

// CheckSavePath reports, before a long training run, whether Save(path)
// could write there: path must end in ".tiktoken", must not be a folder,
// its sidecar's path must hold no file other than a sidecar, and its
// folder must exist and be writable. It tries by creating and removing a
// temporary file.
func CheckSavePath(path string) error {
	if err := checkSavePaths(path); err != nil {
		return err
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
