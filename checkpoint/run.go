package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// The two checkpoints of a run folder.
const (
	Last = "last" // the latest, which --resume continues from
	Best = "best" // the lowest validation loss so far, which generation uses
)

// Find finds the checkpoint to use in dir: dir itself if it is a checkpoint
// folder, else its best checkpoint, else its last.
func Find(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, StateFile)); err == nil {
		return dir, nil
	}
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("model folder %s does not exist; give the --out folder of a tick train run", dir)
		}
		return "", fmt.Errorf("model folder: %w", err)
	}
	for _, name := range []string{Best, Last} {
		d := filepath.Join(dir, name)
		for _, candidate := range []string{d, d + ".old"} {
			if _, err := os.Stat(filepath.Join(candidate, StateFile)); err == nil {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("%s holds no checkpoint (no best/ or last/ with %s); give the folder a tick train run wrote (--out)", dir, StateFile)
}

// LoadRun loads the checkpoint Find picks in dir (a run folder or a
// checkpoint folder).
func LoadRun(dir string) (*Checkpoint, error) {
	d, err := Find(dir)
	if err != nil {
		return nil, err
	}
	ck, err := Load(d)
	if errors.Is(err, ErrNoCheckpoint) {
		return nil, fmt.Errorf("%s holds no checkpoint: %w", dir, err)
	}
	return ck, err
}

// LoadModel loads a trained model and the tokenizer it was trained with from
// a run folder (its best checkpoint, else its last) or a checkpoint folder.
func LoadModel(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	ck, err := LoadRun(dir)
	if err != nil {
		return nil, nil, err
	}
	return ck.Model, ck.Tokenizer, nil
}

// runEntries are the names a run folder holds: its two checkpoints (and
// the .old copies an interrupted save leaves), its metrics and its plot.
var runEntries = []string{Last, Best, Last + ".old", Best + ".old", "metrics.jsonl", "loss.png"}

// runTemp are the prefixes of the temporary files and folders a run writes
// and renames (an interrupted save can leave them).
var runTemp = []string{"." + Last + ".tmp-", "." + Best + ".tmp-", ".loss.png.tmp-", ".metrics.jsonl.tmp-", ".write-test-"}

// Clear empties dir for a new run when it holds an earlier one, so that a
// demo can be run again into the same folder, and reports whether there was
// one. Only a folder that holds a run and nothing else is removed: anything
// else in it is the user's, and that is an error.
func Clear(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("output folder: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "metrics.jsonl")); err != nil {
		return false, fmt.Errorf("%s exists and is not a training run; move it away or choose another -out", dir)
	}
	for _, e := range entries {
		if !isRunEntry(e.Name()) {
			return false, fmt.Errorf("%s holds %s, which no training run writes; move it away or choose another -out", dir, e.Name())
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, fmt.Errorf("remove the earlier run in %s: %w", dir, err)
	}
	return true, nil
}

func isRunEntry(name string) bool {
	if slices.Contains(runEntries, name) {
		return true
	}
	for _, p := range runTemp {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
