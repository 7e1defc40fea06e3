// Package checkpoint reads and writes run folders: what `tick train --out
// DIR` leaves behind, and what generation, evaluation, the demos and a
// resumed run read back.
//
// A run folder holds two checkpoints, DIR/last (the latest) and DIR/best
// (the lowest validation loss so far), beside the run's metrics.jsonl and
// loss.png. A checkpoint is a folder holding everything needed to continue
// a run exactly or to generate with it:
//
//	config.json, model.safetensors               the model (transformer.Save)
//	optimizer.safetensors                        AdamW moments m.NAME and v.NAME
//	tokenizer.json [vocab.tiktoken vocab.json]   the tokenizer (tokenizer.Spec)
//	state.json                                   step, random state, options, checksums
//
// It is written into a temporary folder and renamed into place, and
// state.json records a SHA-256 of every other file, so a damaged checkpoint
// is detected instead of silently loaded.
//
// A run folder is marked as tick's by tick-run.json and locked (flock on
// .tick-run.lock) by the one process that writes it (CreateRun, OpenRun):
// tick writes, replaces and removes only in a marked folder, only the
// names a run owns, and only while it holds the lock. A folder that is not
// empty and not a run is the user's and is refused.
//
// Loading a model for generation needs only this package, not the training
// code: see LoadModel.
package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/internal/inputfile"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// The files of a checkpoint besides the model's and the tokenizer's.
const (
	StateFile     = "state.json"
	OptimizerFile = "optimizer.safetensors"
)

// State is the contents of state.json.
type State struct {
	Step      int     `json:"step"`      // optimiser steps done
	AdamT     int     `json:"adam_t"`    // AdamW update count
	BatchRNG  []byte  `json:"batch_rng"` // PCG state of the batch sampler
	Evaluated bool    `json:"evaluated"` // an evaluation happened, so BestVal is set
	BestVal   float64 `json:"best_val"`  // lowest validation loss at an evaluation so far
	BestStep  int     `json:"best_step"` // step of BestVal
	// Options are the training options (train.Options) as JSON, keyed by
	// flag name: this package keeps them without reading them, except
	// ValFrac.
	Options json.RawMessage   `json:"options"`
	Data    Data              `json:"data"`
	Files   map[string]string `json:"files"` // file name -> SHA-256
}

// ValFrac is the validation fraction the run trained with (its option
// "val-frac"), so that evaluation holds out the same tokens.
func (s State) ValFrac() float64 {
	var o struct {
		ValFrac float64 `json:"val-frac"`
	}
	json.Unmarshal(s.Options, &o) // a State read from disk was checked by Load
	return o.ValFrac
}

// Data identifies the training text, so a resumed run can check it reads
// the same text and an evaluation can find it.
type Data struct {
	Name   string `json:"name"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// DataOf describes the text read from name.
func DataOf(name string, text []byte) Data {
	sum := sha256.Sum256(text)
	return Data{Name: name, Bytes: len(text), SHA256: hex.EncodeToString(sum[:])}
}

// Checkpoint is a checkpoint in memory.
type Checkpoint struct {
	Dir       string // the folder it was loaded from (Load) or "" (to be saved)
	State     State
	Model     *transformer.Model
	Tokenizer tokenizer.Tokenizer
	TokSpec   tokenizer.Spec
	// M and V are AdamW's first and second moments, one slice per
	// parameter in Model.Trainable() order, each as long as the parameter.
	M, V [][]float64
	// Adapter, set for a LoRA fine-tune, is the adapter's PEFT config: the
	// checkpoint then holds only the adapter (adapter.go), not the base.
	Adapter *transformer.AdapterConfig
	// Warning, if not "", is a line for the user about how this checkpoint
	// was chosen: LoadRun fell back to it because the other was damaged.
	Warning string
	// Inside are checkpoints written into sub-folders of this one, by name,
	// in the same atomic save: a model trained beside this one (PPO's value
	// model beside its policy) is never from another step than it.
	Inside map[string]*Checkpoint
}

// Save writes ck to dir atomically: into a temporary folder beside dir,
// which then takes dir's place. Only a checkpoint is replaced: a folder at
// dir (or dir.old) without state.json is the user's, and an error. In a
// run folder the caller holds the folder's lock (CreateRun, OpenRun).
func Save(dir string, ck *Checkpoint) error {
	parent := filepath.Dir(dir)
	tmp, err := os.MkdirTemp(parent, atomicfile.TempPattern(filepath.Base(dir)))
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes a private folder
		os.RemoveAll(tmp)
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := write(tmp, ck); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	if err := replaceDir(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

func write(dir string, ck *Checkpoint) error {
	var tensors []safetensors.Tensor
	if ck.Adapter != nil {
		if err := ck.Model.SaveAdapter(dir, ck.Adapter); err != nil {
			return err
		}
		tensors = exactAdapter(ck.Model)
	} else if err := ck.Model.Save(dir); err != nil {
		return err
	}
	for i, p := range ck.Model.Trainable() {
		shape := []int{len(ck.M[i])}
		tensors = append(tensors,
			safetensors.Tensor{Name: "m." + p.Name, Shape: shape, Data: ck.M[i]},
			safetensors.Tensor{Name: "v." + p.Name, Shape: shape, Data: ck.V[i]})
	}
	if err := safetensors.Write(filepath.Join(dir, OptimizerFile), tensors, map[string]string{"format": "tick adamw moments"}); err != nil {
		return err
	}
	if err := ck.TokSpec.Save(dir); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(ck.Inside)) {
		if name != filepath.Base(name) || name == "." || name == ".." || name == "" {
			return fmt.Errorf("checkpoint inside: %q is not a folder name", name)
		}
		sub := filepath.Join(dir, name)
		if err := os.Mkdir(sub, 0o755); err != nil {
			return err
		}
		if err := write(sub, ck.Inside[name]); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	st := ck.State
	st.Files = map[string]string{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		sum, err := fileSHA256(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		st.Files[e.Name()] = sum
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, StateFile))
	if err != nil {
		return err
	}
	if _, err = f.Write(append(b, '\n')); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// replaceDir makes the finished folder tmp take the place of dir. A folder
// cannot be renamed over a non-empty one, so the old dir is first moved
// aside to dir.old; if the process dies in between, ReadState finds
// dir.old and uses it. At every moment one complete checkpoint is in
// place under dir or dir.old.
//
// Only checkpoints are replaced: a dir or dir.old without state.json is
// not tick's, and is an error. Folders are removed by discard, never in
// place.
func replaceDir(tmp, dir string) error {
	old := dir + ".old"
	for _, d := range []string{dir, old} {
		if _, err := os.Lstat(d); err == nil && !isCheckpoint(d) {
			return fmt.Errorf("%s is in the way and is not a checkpoint (it has no %s); tick replaces only checkpoints it wrote: move or rename it", d, StateFile)
		}
	}
	if exists(dir) {
		if exists(old) {
			// Left by an interrupted save: older than dir, which is complete.
			if err := discard(old, dir); err != nil {
				return fmt.Errorf("replace %s: %w", dir, err)
			}
		}
		if err := rename(dir, old); err != nil {
			return fmt.Errorf("replace %s: %w", dir, err)
		}
	}
	// If dir was missing, old (if any) was the only copy until this rename.
	if err := rename(tmp, dir); err != nil {
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	atomicfile.SyncDir(filepath.Dir(dir))
	if exists(old) {
		if err := discard(old, dir); err != nil {
			return fmt.Errorf("replace %s: %w", dir, err)
		}
	}
	return nil
}

// rename is os.Rename; tests replace it to make a rename fail.
var rename = os.Rename

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// discard removes the folder p, a superseded copy of checkpoint dir. It is
// first renamed to a temporary name of dir's (atomicfile.TempPattern), so
// that a process killed while removing it leaves no half of a checkpoint
// under a checkpoint's name, only a temporary folder that the next run to
// open the folder removes (RunFolder.Removed).
func discard(p, dir string) error {
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	for range 10000 {
		trash := filepath.Join(parent, strings.Replace(atomicfile.TempPattern(base), "*", strconv.FormatUint(uint64(rand.Uint32()), 10), 1))
		if exists(trash) {
			continue
		}
		if err := rename(p, trash); err != nil {
			return err
		}
		// The checkpoint is in place; what fails to be removed here is a
		// temporary folder, removed when the run folder is next opened.
		os.RemoveAll(trash)
		return nil
	}
	return fmt.Errorf("discard %s: no free temporary name", p)
}

// fileSHA256 streams a regular file through SHA-256: a file that is a
// link to /dev/zero or a FIFO is refused, not read forever, and a large
// file costs no memory.
func fileSHA256(path string) (string, error) {
	f, _, err := inputfile.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// maxStateBytes bounds state.json: tick writes a few KB.
const maxStateBytes = 16 << 20

// damagedAdvice ends every message about a damaged checkpoint.
const damagedAdvice = "; restore the folder from a copy, or start a new run with another --out"

// ErrNoCheckpoint says a folder holds no checkpoint.
var ErrNoCheckpoint = errors.New("no checkpoint")

// ReadState reads and verifies dir/state.json and the checksums of the
// files it lists, and returns the folder it read (a dir that is missing but
// has a dir.old left by an interrupted save is read from there).
func ReadState(dir string) (string, State, error) {
	var st State
	if _, err := os.Stat(filepath.Join(dir, StateFile)); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir+".old", StateFile)); err == nil {
			dir += ".old"
		} else {
			return dir, st, fmt.Errorf("%s: %w (no %s)", dir, ErrNoCheckpoint, StateFile)
		}
	}
	stPath := filepath.Join(dir, StateFile)
	if info, err := inputfile.Check(stPath); err != nil {
		return dir, st, fmt.Errorf("checkpoint %s is damaged: %v%s", dir, err, damagedAdvice)
	} else if info.Size() > maxStateBytes {
		return dir, st, fmt.Errorf("checkpoint %s is damaged: %s is %d bytes, far more than tick writes%s", dir, StateFile, info.Size(), damagedAdvice)
	}
	b, err := inputfile.ReadFile(stPath)
	if err != nil {
		return dir, st, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return dir, st, fmt.Errorf("checkpoint %s is damaged: %s: %v%s", dir, StateFile, err, damagedAdvice)
	}
	if len(st.Files) == 0 {
		return dir, st, fmt.Errorf("checkpoint %s is damaged: %s lists no files%s", dir, StateFile, damagedAdvice)
	}
	names := make([]string, 0, len(st.Files))
	for n := range st.Files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if n != filepath.Base(n) || n == "." || n == ".." {
			return dir, st, fmt.Errorf("checkpoint %s is damaged: %s lists a file outside the folder (%q)%s", dir, StateFile, n, damagedAdvice)
		}
		sum, err := fileSHA256(filepath.Join(dir, n))
		if err != nil {
			return dir, st, fmt.Errorf("checkpoint %s is damaged: %v%s", dir, err, damagedAdvice)
		}
		if sum != st.Files[n] {
			return dir, st, fmt.Errorf("checkpoint %s is damaged: %s does not match its checksum in %s%s", dir, n, StateFile, damagedAdvice)
		}
	}
	return dir, st, nil
}

// Load reads a whole checkpoint folder, checksums first.
func Load(dir string) (*Checkpoint, error) {
	dir, st, err := ReadState(dir)
	if err != nil {
		return nil, err
	}
	ck := &Checkpoint{Dir: dir, State: st}
	if IsAdapter(dir) {
		ck.Model, ck.Adapter, _, err = loadAdapted(dir)
		if err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
		}
	} else if ck.Model, err = transformer.Load(dir); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w%s", dir, err, damagedAdvice)
	}
	if ck.Tokenizer, ck.TokSpec, err = tokenizer.LoadSaved(dir); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w%s", dir, err, damagedAdvice)
	}
	if got, want := ck.Tokenizer.VocabSize(), ck.Model.Config.VocabSize; got != want {
		return nil, fmt.Errorf("checkpoint %s is inconsistent: tokenizer has %d tokens, model %d%s", dir, got, want, damagedAdvice)
	}
	tensors, _, err := safetensors.Read(filepath.Join(dir, OptimizerFile))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w%s", dir, err, damagedAdvice)
	}
	moments := map[string][]float64{}
	for _, t := range tensors {
		moments[t.Name] = t.Data
	}
	if ck.Adapter != nil {
		if err := restoreExact(ck.Model, moments); err != nil {
			return nil, fmt.Errorf("checkpoint %s is inconsistent: %w%s", dir, err, damagedAdvice)
		}
	}
	for _, p := range ck.Model.Trainable() {
		m, v := moments["m."+p.Name], moments["v."+p.Name]
		if len(m) != p.Size() || len(v) != p.Size() {
			return nil, fmt.Errorf("checkpoint %s is inconsistent: optimiser moments for %s missing or of the wrong size%s", dir, p.Name, damagedAdvice)
		}
		ck.M, ck.V = append(ck.M, m), append(ck.V, v)
	}
	return ck, nil
}
