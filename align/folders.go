package align

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// This file runs the stages on run folders, as the tick align commands
// do: each stage reads the folders of the stages before it and writes its
// own (RunStage), so each can be stopped, resumed and looked at alone.

// Task is the split every stage shares: HeldOut instructions, drawn with
// SplitSeed, are kept apart for the table and never trained on.
type Task struct {
	HeldOut   int
	SplitSeed uint64
	// Synthetic is the number of made-up words SFT also practises the
	// word instructions on (SyntheticWords); the other stages use only
	// the task's own training instructions.
	Synthetic int
}

// DefaultSynthetic is the made-up words SFT practises on by default.
const DefaultSynthetic = 1000

// SFTSet is what SFT trains on: the training instructions and the
// synthetic ones.
func (t Task) SFTSet() ([]Instruction, error) {
	trainSet, _, err := t.Sets()
	if err != nil {
		return nil, err
	}
	return append(trainSet, Synthetic(t.Synthetic, t.SplitSeed)...), nil
}

// Sets returns the training and the held-out instructions.
func (t Task) Sets() (trainSet, testSet []Instruction, err error) {
	return Split(Instructions(), t.HeldOut, t.SplitSeed)
}

// SFTRun fine-tunes the base run (a byte-level tick train run, LoadBase)
// on the training instructions into the run folder o.Out.
func SFTRun(ctx context.Context, base string, trainSet []Instruction, p Plan, o RunOptions) error {
	m, err := LoadBase(base)
	if err != nil {
		return err
	}
	st, err := NewSFTStage(m, trainSet, p)
	if err != nil {
		return err
	}
	return RunStage(ctx, st, o)
}

// loadChat loads a run an align stage wrote (or a base): the model in the
// chat vocabulary, not training.
func loadChat(dir string) (*transformer.Model, error) {
	m, err := LoadBase(dir)
	if err != nil {
		return nil, err
	}
	m.SetTraining(false, 0)
	return m, nil
}

// PairsRun samples k replies of the SFT run to each instruction and keeps
// the judge's best and worst (SamplePairs), showing progress on w.
func PairsRun(sftDir string, ins []Instruction, k int, seed uint64, w io.Writer) ([]Pair, error) {
	if k < 2 {
		return nil, fmt.Errorf("pairs: %d samples per prompt; a pair needs at least 2", k)
	}
	m, err := loadChat(sftDir)
	if err != nil {
		return nil, err
	}
	var bar *stageProgress
	if w != nil {
		bar = newStageProgress(w, "pairs", 0, len(ins))
	}
	pairs, err := samplePairs(m, ins, k, seed, func(i, n int) { bar.step(i, map[string]float64{"pairs": float64(n)}) })
	bar.finish()
	return pairs, err
}

// WritePairsFile writes pairs to path atomically.
func WritePairsFile(path string, pairs []Pair) error {
	return atomicfile.Write(path, func(w io.Writer) error { return WritePairs(w, pairs) })
}

// RewardRun trains a reward model, started from the SFT run with a zero
// head, on pairs into the run folder o.Out.
func RewardRun(ctx context.Context, sftDir string, pairs []Pair, p Plan, o RunOptions) (*RewardModel, error) {
	m, err := loadChat(sftDir)
	if err != nil {
		return nil, err
	}
	rm, err := NewRewardModel(m)
	if err != nil {
		return nil, err
	}
	st, err := NewRewardStage(rm, pairs, p)
	if err != nil {
		return nil, err
	}
	return rm, RunStage(ctx, st, o)
}

// CheckRewardFor refuses a reward model that cannot score the policy's
// replies: one of another vocabulary, or of another shape than the SFT
// model it must have been started from.
func CheckRewardFor(rm *RewardModel, sft *transformer.Model, rmDir, sftDir string) error {
	r, s := rm.Model.Config, sft.Config
	if r.VocabSize != s.VocabSize {
		return fmt.Errorf("reward model %s reads a vocabulary of %d tokens, the SFT model %s one of %d: train the reward model from this SFT run (tick align reward --model %s)", rmDir, r.VocabSize, sftDir, s.VocabSize, sftDir)
	}
	if r != s {
		return fmt.Errorf("reward model %s has another shape (%d layers, width %d, context %d) than the SFT model %s (%d layers, width %d, context %d): train the reward model from this SFT run (tick align reward --model %s)",
			rmDir, r.Layers, r.Dim, r.Context, sftDir, s.Layers, s.Dim, s.Context, sftDir)
	}
	return nil
}

// RLHFRun trains a copy of the SFT run against the reward model in rmDir
// with a KL penalty towards the SFT model, into the run folder o.Out.
func RLHFRun(ctx context.Context, sftDir, rmDir string, trainSet []Instruction, p RLPlan, o RunOptions) error {
	ref, err := loadChat(sftDir)
	if err != nil {
		return err
	}
	rm, err := LoadRewardModel(rmDir)
	if err != nil {
		return err
	}
	if err := CheckRewardFor(rm, ref, rmDir, sftDir); err != nil {
		return err
	}
	policy, err := Clone(ref)
	if err != nil {
		return err
	}
	st, err := NewRLStage(policy, ref, rm, trainSet, p)
	if err != nil {
		return err
	}
	return RunStage(ctx, st, o)
}

// DPORun trains a copy of the SFT run on pairs with DPO against the SFT
// model, into the run folder o.Out.
func DPORun(ctx context.Context, sftDir string, pairs []Pair, beta float64, p Plan, o RunOptions) error {
	if !(beta > 0) {
		return fmt.Errorf("dpo: β %g: it must be positive (try 0.1)", beta)
	}
	ref, err := loadChat(sftDir)
	if err != nil {
		return err
	}
	m, err := Clone(ref)
	if err != nil {
		return err
	}
	st, err := NewDPOStage(m, ref, pairs, beta, p)
	if err != nil {
		return err
	}
	return RunStage(ctx, st, o)
}

// NamedRun is a run folder with the name its table row gets.
type NamedRun struct{ Name, Dir string }

// EvaluateRuns measures each run on the held-out prompts against the SFT
// run (win rate, KL), the SFT run's row first when it is among them.
func EvaluateRuns(sftDir string, runs []NamedRun, testSet []Instruction, seed uint64) (Results, error) {
	res := Results{Prompts: testSet}
	sft, err := loadChat(sftDir)
	if err != nil {
		return res, err
	}
	sftScore, err := Evaluate(sft, sft, testSet, nil, seed)
	if err != nil {
		return res, err
	}
	for _, r := range runs {
		if filepath.Clean(r.Dir) == filepath.Clean(sftDir) {
			res.Rows = append(res.Rows, Row{r.Name, sftScore})
			continue
		}
		m, err := loadChat(r.Dir)
		if err != nil {
			return res, err
		}
		if m.Config.VocabSize != sft.Config.VocabSize {
			return res, fmt.Errorf("%s reads %d tokens, the SFT run %d", r.Dir, m.Config.VocabSize, sft.Config.VocabSize)
		}
		s, err := Evaluate(m, sft, testSet, sftScore.Replies, seed)
		if err != nil {
			return res, fmt.Errorf("%s: %w", r.Dir, err)
		}
		res.Rows = append(res.Rows, Row{r.Name, s})
	}
	return res, nil
}

// PretrainOptions are the `tick train` options of the base the pipeline
// pretrains when it is given none: a byte-level model of the pipeline's
// sizes and family on Newton's Opticks (Go's copy), with the chat task's
// context.
func PretrainOptions(s Sizes, steps int, seed uint64) train.Options {
	o := train.DefaultOptions()
	o.Tokenizer, o.Preset = "byte", s.Preset
	if o.Preset == "" {
		o.Preset = "gpt"
	}
	o.Layers, o.Heads, o.KVHeads, o.Dim, o.FFDim, o.Context = s.Layers, s.Heads, s.Heads, s.Dim, 4*s.Dim, Context
	o.Steps, o.Batch, o.LR, o.MinLR, o.Warmup = steps, 16, 3e-3, 3e-4, min(100, steps/10)
	o.EvalEvery, o.EvalBatches, o.SampleTokens, o.Seed = max(1, steps/4), 4, 0, seed
	o.Precision = "float64" // the pipeline's stages compute in float64
	return o
}

// FolderRun is the whole pipeline written into one folder: Out/base (when
// Base is empty: pretrained on Opticks), Out/sft, Out/pairs.jsonl and
// Out/pairs-heldout.jsonl, Out/reward, Out/rlhf, Out/dpo, and the table
// in Out/table.txt.
type FolderRun struct {
	Pipeline
	Task     Task
	Base     string // a base run to start from; "" pretrains one
	Pretrain int    // steps of that pretraining
	Out      string
	Resume   bool      // continue: finished stages are kept, a stopped one resumed
	Progress io.Writer // progress bars and lines
	Command  string    // how it was started, for the resume hint
}

// Run runs every stage in order into f.Out and returns the table.
func (f FolderRun) Run(ctx context.Context, w io.Writer) (Results, error) {
	var res Results
	if !(f.Beta > 0) {
		return res, fmt.Errorf("dpo: β %g: it must be positive (try 0.1)", f.Beta)
	}
	if err := f.checkOut(); err != nil {
		return res, err
	}
	trainSet, testSet, err := f.Task.Sets()
	if err != nil {
		return res, err
	}
	dir := func(name string) string { return filepath.Join(f.Out, name) }
	// A stage is resumed when its folder has a checkpoint; one stopped
	// before it saved any starts again.
	resumable := func(d string) bool {
		_, _, err := checkpoint.ResumeFrom(d)
		return f.Resume && err == nil
	}
	opts := func(name string) RunOptions {
		return RunOptions{Out: dir(name), Resume: resumable(dir(name)), Every: f.Every, Progress: f.Progress, Command: f.Command}
	}
	start := time.Now()
	say := func(format string, a ...any) {
		fmt.Fprintf(w, "[%5.0fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
	}
	base := f.Base
	if base == "" {
		base = dir("base")
		o := PretrainOptions(f.Sizes, f.Pretrain, f.Seed)
		o.Out, o.Resume, o.Progress = base, resumable(base), f.Progress
		say("base: pretraining a byte-level %s model on Opticks, %d steps -> %s", o.Preset, o.Steps, base)
		if _, err := train.Run(ctx, o, io.Discard); errors.Is(err, train.ErrInterrupted) {
			return res, fmt.Errorf("base %w while pretraining; continue with: %s --resume", ErrInterrupted, f.Command)
		} else if err != nil {
			return res, fmt.Errorf("pretraining the base: %w", err)
		}
	}
	sftSet, err := f.Task.SFTSet()
	if err != nil {
		return res, err
	}
	say("sft: %d steps of %d demonstrations (%d training instructions, %d on made-up words) -> %s",
		f.SFT.Steps, f.SFT.Batch, len(trainSet), len(sftSet)-len(trainSet), dir("sft"))
	if err := SFTRun(ctx, base, sftSet, f.SFT, opts("sft")); err != nil {
		return res, err
	}
	pairs, err := f.pairs(dir("pairs.jsonl"), dir("sft"), trainSet, f.Seed, say)
	if err != nil {
		return res, err
	}
	held, err := f.pairs(dir("pairs-heldout.jsonl"), dir("sft"), testSet, f.Seed+1, say)
	if err != nil {
		return res, err
	}
	res.Pairs, res.HeldOutPair = len(pairs), len(held)
	say("reward: %d steps of %d pairs -> %s", f.Reward.Steps, f.Reward.Batch, dir("reward"))
	rm, err := RewardRun(ctx, dir("sft"), pairs, f.Reward, opts("reward"))
	if err != nil {
		return res, err
	}
	if len(held) > 0 {
		if res.RewardAcc, err = rm.PairAccuracy(held); err != nil {
			return res, err
		}
		say("reward model: held-out pair accuracy %.3f (%d pairs)", res.RewardAcc, len(held))
	}
	say("rlhf: %d iterations of %d samples -> %s", f.RL.Steps, f.RL.Batch, dir("rlhf"))
	if err := RLHFRun(ctx, dir("sft"), dir("reward"), trainSet, f.RL, opts("rlhf")); err != nil {
		return res, err
	}
	say("dpo: %d steps of %d pairs, β %g -> %s", f.DPO.Steps, f.DPO.Batch, f.Beta, dir("dpo"))
	if err := DPORun(ctx, dir("sft"), pairs, f.Beta, f.DPO, opts("dpo")); err != nil {
		return res, err
	}
	say("evaluating on %d held-out prompts", len(testSet))
	runs := []NamedRun{{"base", base}, {"SFT", dir("sft")}, {"RLHF", dir("rlhf")}, {"DPO", dir("dpo")}}
	ev, err := EvaluateRuns(dir("sft"), runs, testSet, f.Seed)
	if err != nil {
		return res, err
	}
	res.Rows, res.Prompts = ev.Rows, ev.Prompts
	err = atomicfile.Write(dir("table.txt"), func(w io.Writer) error { res.Table(w); return nil })
	return res, err
}

// pairs samples the pairs file path from the SFT run, or, resuming, reads
// the one a run before wrote.
func (f FolderRun) pairs(path, sftDir string, ins []Instruction, seed uint64, say func(string, ...any)) ([]Pair, error) {
	if f.Resume {
		if p, err := ReadPairs(path); err == nil {
			say("pairs: %d read from %s", len(p), path)
			return p, nil
		}
	}
	p, err := PairsRun(sftDir, ins, f.Samples, seed, f.Progress)
	if err != nil {
		return nil, err
	}
	say("pairs: %d from %d prompts, %d samples each -> %s", len(p), len(ins), f.Samples, path)
	return p, WritePairsFile(path, p)
}

// pipelineNames are the names FolderRun writes in its folder.
var pipelineNames = []string{"base", "sft", "pairs.jsonl", "pairs-heldout.jsonl", "reward", "rlhf", "dpo", "table.txt"}

// checkOut refuses a folder holding anything but what a FolderRun writes
// (the user's files), and a folder with a run in it unless resuming.
func (f FolderRun) checkOut() error {
	entries, err := os.ReadDir(f.Out)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(f.Out, 0o755)
	}
	if err != nil {
		return err
	}
	var foreign []string
	for _, e := range entries {
		if !isPipelineName(e.Name()) {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) > 0 {
		return fmt.Errorf("%s holds files that are not tick align's (%s): give an empty or new --out", f.Out, strings.Join(foreign[:min(3, len(foreign))], ", "))
	}
	if len(entries) > 0 && !f.Resume {
		return fmt.Errorf("%s holds an earlier pipeline run: continue it with --resume, or give a new --out", f.Out)
	}
	return nil
}

func isPipelineName(name string) bool {
	for _, n := range pipelineNames {
		if name == n || atomicfile.IsTemp(name, n) {
			return true
		}
	}
	return false
}

// Clear removes an earlier FolderRun from f.Out, so that a demo can run
// again into the same folder: only the stages' run folders (each cleared
// by checkpoint.Clear, which refuses anything a run did not write) and
// the pairs and table files; a folder holding anything else is refused.
func (f FolderRun) Clear() error {
	f.Resume = true // an earlier run is expected
	if err := f.checkOut(); err != nil {
		return err
	}
	for _, n := range pipelineNames {
		p := filepath.Join(f.Out, n)
		if filepath.Ext(n) == "" {
			if _, err := checkpoint.Clear(p); err != nil {
				return err
			}
		} else if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
