package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// A checkpoint is a folder (DIR/last or DIR/best) holding everything needed
// to continue a run exactly or to generate with it:
//
//	config.json, model.safetensors   the model (transformer.Save)
//	optimizer.safetensors            AdamW moments m.NAME and v.NAME
//	tokenizer.json [vocab.tiktoken vocab.json]   the tokenizer
//	state.json                       step, random state, options, checksums
//
// It is written into a temporary folder and renamed into place, and
// state.json records a SHA-256 of every other file, so a damaged checkpoint
// is detected instead of silently loaded.
const (
	stateFile     = "state.json"
	optimizerFile = "optimizer.safetensors"
)

// runState is the contents of state.json.
type runState struct {
	Step      int               `json:"step"`      // optimiser steps done
	AdamT     int               `json:"adam_t"`    // AdamW update count
	BatchRNG  []byte            `json:"batch_rng"` // PCG state of the batch sampler
	Evaluated bool              `json:"evaluated"` // an evaluation happened, so BestVal is set
	BestVal   float64           `json:"best_val"`  // lowest validation loss at an evaluation so far
	BestStep  int               `json:"best_step"` // step of BestVal
	Options   Options           `json:"options"`
	Data      dataInfo          `json:"data"`
	Files     map[string]string `json:"files"` // file name -> SHA-256
}

// dataInfo identifies the training text, so a resumed run can check it
// reads the same text.
type dataInfo struct {
	Name   string `json:"name"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

func newDataInfo(name string, text []byte) dataInfo {
	sum := sha256.Sum256(text)
	return dataInfo{Name: name, Bytes: len(text), SHA256: hex.EncodeToString(sum[:])}
}

// checkpoint is a loaded checkpoint.
type checkpoint struct {
	dir     string
	state   runState
	model   *transformer.Model
	moments map[string][]float64 // "m.NAME", "v.NAME"
	tok     Tokenizer
	tokSpec tokenizerSpec
}

// saveCheckpoint writes a checkpoint to dir atomically.
func saveCheckpoint(dir string, m *transformer.Model, opt *AdamW, st runState, ts tokenizerSpec) error {
	parent := filepath.Dir(dir)
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes a private folder
		os.RemoveAll(tmp)
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := writeCheckpoint(tmp, m, opt, st, ts); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("save checkpoint %s: %w", dir, err)
	}
	if err := replaceDir(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

func writeCheckpoint(dir string, m *transformer.Model, opt *AdamW, st runState, ts tokenizerSpec) error {
	if err := m.Save(dir); err != nil {
		return err
	}
	var tensors []safetensors.Tensor
	for i, p := range m.Params() {
		shape := []int{len(opt.M[i])}
		tensors = append(tensors,
			safetensors.Tensor{Name: "m." + p.Name, Shape: shape, Data: opt.M[i]},
			safetensors.Tensor{Name: "v." + p.Name, Shape: shape, Data: opt.V[i]})
	}
	if err := safetensors.Write(filepath.Join(dir, optimizerFile), tensors, map[string]string{"format": "tick adamw moments"}); err != nil {
		return err
	}
	if err := ts.save(dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
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
	f, err := os.Create(filepath.Join(dir, stateFile))
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

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// damagedAdvice ends every message about a damaged checkpoint.
const damagedAdvice = "; restore the folder from a copy, or start a new run with another --out"

// errNoCheckpoint says a folder holds no checkpoint.
var errNoCheckpoint = errors.New("no checkpoint")

// readState reads and verifies dir/state.json and the checksums of the
// files it lists. A dir that is missing but has a dir.old left by an
// interrupted replaceDir is read from there.
func readState(dir string) (string, runState, error) {
	var st runState
	if _, err := os.Stat(filepath.Join(dir, stateFile)); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir+".old", stateFile)); err == nil {
			dir += ".old"
		} else {
			return dir, st, fmt.Errorf("%s: %w (no %s)", dir, errNoCheckpoint, stateFile)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return dir, st, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return dir, st, fmt.Errorf("checkpoint %s is damaged: %s: %v%s", dir, stateFile, err, damagedAdvice)
	}
	if len(st.Files) == 0 {
		return dir, st, fmt.Errorf("checkpoint %s is damaged: %s lists no files%s", dir, stateFile, damagedAdvice)
	}
	names := make([]string, 0, len(st.Files))
	for n := range st.Files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if n != filepath.Base(n) || n == "." || n == ".." {
			return dir, st, fmt.Errorf("checkpoint %s is damaged: %s lists a file outside the folder (%q)%s", dir, stateFile, n, damagedAdvice)
		}
		sum, err := fileSHA256(filepath.Join(dir, n))
		if err != nil {
			return dir, st, fmt.Errorf("checkpoint %s is damaged: %v%s", dir, err, damagedAdvice)
		}
		if sum != st.Files[n] {
			return dir, st, fmt.Errorf("checkpoint %s is damaged: %s does not match its checksum in %s%s", dir, n, stateFile, damagedAdvice)
		}
	}
	return dir, st, nil
}

// loadCheckpoint reads a whole checkpoint folder.
func loadCheckpoint(dir string) (*checkpoint, error) {
	dir, st, err := readState(dir)
	if err != nil {
		return nil, err
	}
	ck := &checkpoint{dir: dir, state: st}
	if ck.model, err = transformer.Load(dir); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w%s", dir, err, damagedAdvice)
	}
	if ck.tok, ck.tokSpec, err = loadTokenizer(dir); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w%s", dir, err, damagedAdvice)
	}
	if got, want := ck.tok.VocabSize(), ck.model.Config.VocabSize; got != want {
		return nil, fmt.Errorf("checkpoint %s is inconsistent: tokenizer has %d tokens, model %d%s", dir, got, want, damagedAdvice)
	}
	tensors, _, err := safetensors.Read(filepath.Join(dir, optimizerFile))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w%s", dir, err, damagedAdvice)
	}
	ck.moments = map[string][]float64{}
	for _, t := range tensors {
		ck.moments[t.Name] = t.Data
	}
	return ck, nil
}

// optimizer rebuilds the AdamW state of a checkpoint for model m.
func (ck *checkpoint) optimizer(o Options) (*AdamW, error) {
	params := ck.model.Params()
	sizes := make([]int, len(params))
	for i, p := range params {
		sizes[i] = p.Size()
	}
	opt := NewAdamW(sizes, o.Beta1, o.Beta2, adamEps, o.WeightDecay)
	opt.T = ck.state.AdamT
	for i, p := range params {
		m, v := ck.moments["m."+p.Name], ck.moments["v."+p.Name]
		if len(m) != sizes[i] || len(v) != sizes[i] {
			return nil, fmt.Errorf("checkpoint %s is inconsistent: optimiser moments for %s missing or of the wrong size%s", ck.dir, p.Name, damagedAdvice)
		}
		copy(opt.M[i], m)
		copy(opt.V[i], v)
	}
	return opt, nil
}

// SavedOptions returns the options of the run in folder out (from
// out/last), so a command line can resume it without repeating them.
func SavedOptions(out string) (Options, error) {
	_, st, err := readState(filepath.Join(out, "last"))
	if err != nil {
		if errors.Is(err, errNoCheckpoint) {
			return Options{}, fmt.Errorf("nothing to resume in %s: it has no last checkpoint; start a new run without --resume", out)
		}
		return Options{}, err
	}
	return st.Options, nil
}
