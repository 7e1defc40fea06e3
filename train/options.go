package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tick-llm/tick/checkpoint"

	"github.com/tick-llm/tick/transformer"
)

// Options configure a training run. The JSON names are the command-line
// flag names; a checkpoint stores them so --resume can check that the run
// continues as it started.
type Options struct {
	// Data.
	Data      string  `json:"data"`      // text file; "" = Newton's Opticks from GOROOT, else an embedded sample
	Tokenizer string  `json:"tokenizer"` // char | byte | ENCODING | FILE.tiktoken
	ValFrac   float64 `json:"val-frac"`  // last fraction of the token stream kept for validation

	// Model (see transformer.Config).
	Preset  string  `json:"preset"`   // gpt | llama
	Layers  int     `json:"layers"`   // transformer blocks
	Heads   int     `json:"heads"`    // attention (query) heads
	KVHeads int     `json:"kv-heads"` // key/value heads; 0 = the preset's ratio to Heads
	Dim     int     `json:"dim"`      // width of the residual stream
	FFDim   int     `json:"ff-dim"`   // hidden width of the MLP; 0 = the preset's rule for Dim
	Context int     `json:"context"`  // tokens the model sees at once (T)
	Dropout float64 `json:"dropout"`  // dropout probability while training

	// Optimisation.
	Batch       int     `json:"batch"`        // windows per micro-batch (B)
	GradAccum   int     `json:"grad-accum"`   // micro-batches per step (gradients averaged)
	Steps       int     `json:"steps"`        // optimiser steps
	LR          float64 `json:"lr"`           // peak learning rate
	MinLR       float64 `json:"min-lr"`       // learning rate at the last step
	Warmup      int     `json:"warmup"`       // steps of linear warmup
	WeightDecay float64 `json:"weight-decay"` // AdamW decoupled weight decay (matrices only)
	Clip        float64 `json:"clip"`         // global gradient-norm limit; 0 = off
	Beta1       float64 `json:"beta1"`        // AdamW first-moment decay
	Beta2       float64 `json:"beta2"`        // AdamW second-moment decay
	Seed        uint64  `json:"seed"`         // model initialisation, batches, dropout

	// Precision is what Forward and Backward compute in, float32 (mixed
	// precision: float64 master weights, gradients and AdamW) or float64;
	// "" is float64, the precision of runs saved before the option existed.
	Precision string `json:"precision,omitempty"`

	// Watching.
	EvalEvery    int           `json:"eval-every"`    // steps between evaluations (and checkpoints)
	EvalBatches  int           `json:"eval-batches"`  // batches of fixed windows per evaluation
	SampleTokens int           `json:"sample-tokens"` // tokens of sample text printed at each evaluation; 0 = none
	Prompt       string        `json:"prompt"`        // start of the sample text; "" = the first tokens of the validation text
	TimeLimit    time.Duration `json:"time-limit"`    // stop cleanly once this much wall time has passed; 0 = none

	// Finetune, when set, starts from a trained model (finetune.go).
	Finetune *Finetune `json:"finetune,omitempty"`

	// Where.
	Out    string `json:"-"` // run folder
	Resume bool   `json:"-"` // continue the run in Out from Out/last

	// Progress receives the progress: a redrawn bar when it is a terminal
	// (usually os.Stderr), else one plain line per evaluation; nil shows none.
	Progress io.Writer `json:"-"`

	// afterStep, when set (tests), runs after every optimiser step; a test
	// cancels the context there to interrupt a run at an exact step.
	afterStep func(step int)
}

// DefaultOptions returns settings that teach a small model real text in a
// few minutes on a 2-core CPU: nanoGPT's shakespeare_char "baby GPT" CPU
// recipe (4 layers, 4 heads, width 128, context 64, batch 12, 2000 steps,
// lr 1e-3 -> 1e-4, 100 warmup steps, no dropout), char-level, computing in
// float32 over float64 weights as PyTorch's nanoGPT does on a CPU.
func DefaultOptions() Options {
	return Options{
		Tokenizer: "char", ValFrac: 0.1,
		Preset: "gpt", Layers: 4, Heads: 4, Dim: 128, Context: 64,
		Batch: 12, GradAccum: 1, Steps: 2000, LR: 1e-3, MinLR: 1e-4, Warmup: 100,
		WeightDecay: 0.1, Clip: 1, Beta1: 0.9, Beta2: 0.99, Seed: 1337, Precision: "float32",
		EvalEvery: 250, EvalBatches: 20, SampleTokens: 200,
		Out: "tick-run",
	}
}

// MaxSteps bounds --steps: a billion optimiser steps is years of a
// laptop's time, and beyond it the step counts and times a run prints (time
// left, steps per second) would overflow instead of being true.
const MaxSteps = 1_000_000_000

// OptionError is the error of Validate: one option out of range.
type OptionError struct {
	Flag  string // the flag's name, without "--"
	Value any    // its value
	Want  string // what it must be, e.g. "at least 1"
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("--%s %v is out of range: it must be %s", e.Flag, e.Value, e.Want)
}

// Validate reports the first option out of range, naming its flag.
func (o Options) Validate() error {
	type check struct {
		ok   bool
		flag string
		val  any
		want string
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	if o.Preset != "gpt" && o.Preset != "llama" {
		return fmt.Errorf("unknown preset %q: use gpt or llama", o.Preset)
	}
	p, err := o.Compute()
	if err != nil {
		return err
	}
	if p == transformer.Float32 && o.Finetune != nil && !o.Finetune.Full {
		return fmt.Errorf("--precision float32: LoRA adapters compute in float64 only; use --precision float64, or --full to fine-tune every parameter in float32")
	}
	checks := []check{
		{o.ValFrac > 0 && o.ValFrac < 1, "val-frac", o.ValFrac, "between 0 and 1"},
		{o.Layers >= 1, "layers", o.Layers, "at least 1"},
		{o.Heads >= 1, "heads", o.Heads, "at least 1"},
		{o.KVHeads >= 0, "kv-heads", o.KVHeads, "at least 1 (or 0 for the preset's choice)"},
		{o.Dim >= 1, "dim", o.Dim, "at least 1"},
		{o.FFDim >= 0, "ff-dim", o.FFDim, "at least 1 (or 0 for the preset's rule)"},
		{o.Context >= 1, "context", o.Context, "at least 1"},
		{o.Dropout >= 0 && o.Dropout < 1, "dropout", o.Dropout, "in [0, 1)"},
		{o.Batch >= 1, "batch", o.Batch, "at least 1"},
		{o.GradAccum >= 1, "grad-accum", o.GradAccum, "at least 1"},
		{o.Steps >= 1 && o.Steps <= MaxSteps, "steps", o.Steps, fmt.Sprintf("between 1 and %d", MaxSteps)},
		{o.LR > 0 && finite(o.LR), "lr", o.LR, "a positive number"},
		{o.MinLR >= 0 && o.MinLR <= o.LR, "min-lr", o.MinLR, fmt.Sprintf("between 0 and --lr %g", o.LR)},
		{o.Warmup >= 0 && o.Warmup <= MaxSteps, "warmup", o.Warmup, fmt.Sprintf("between 0 and %d", MaxSteps)},
		{o.WeightDecay >= 0 && finite(o.WeightDecay), "weight-decay", o.WeightDecay, "at least 0"},
		{o.Clip >= 0 && finite(o.Clip), "clip", o.Clip, "at least 0 (0 turns clipping off)"},
		{o.Beta1 >= 0 && o.Beta1 < 1, "beta1", o.Beta1, "in [0, 1)"},
		{o.Beta2 >= 0 && o.Beta2 < 1, "beta2", o.Beta2, "in [0, 1)"},
		{o.EvalEvery >= 1 && o.EvalEvery <= MaxSteps, "eval-every", o.EvalEvery, fmt.Sprintf("between 1 and %d", MaxSteps)},
		{o.EvalBatches >= 1, "eval-batches", o.EvalBatches, "at least 1"},
		{o.SampleTokens >= 0, "sample-tokens", o.SampleTokens, "at least 0"},
		{o.TimeLimit >= 0, "time-limit", o.TimeLimit, "at least 0 (0 = no limit)"},
		{o.Out != "", "out", o.Out, "a folder name"},
	}
	for _, c := range checks {
		if !c.ok {
			return &OptionError{Flag: c.flag, Value: c.val, Want: c.want}
		}
	}
	// Before the data is read and the tokenizer built: refuse sizes that
	// cannot fit even with the smallest vocabulary, so a mistyped
	// --batch 1000000000 fails at once, not after reading the text.
	// ModelConfig checks again with the real vocabulary.
	return o.checkMemory(o.sizes(1), true)
}

// Compute is the precision of Precision ("" is float64).
func (o Options) Compute() (transformer.Precision, error) {
	if o.Precision == "" {
		return transformer.Float64, nil
	}
	p, err := transformer.ParsePrecision(o.Precision)
	if err != nil {
		return p, fmt.Errorf("--precision %q is not a precision tick computes in: use float32 or float64", o.Precision)
	}
	return p, nil
}

// ModelConfig is the transformer configuration these options describe for
// a vocabulary of vocabSize tokens. It also refuses a run that would not
// fit in this machine's memory (see Memory), before anything is allocated.
func (o Options) ModelConfig(vocabSize int) (transformer.Config, error) {
	if _, err := transformer.Preset(o.Preset); err != nil {
		return transformer.Config{}, err
	}
	cfg := o.sizes(vocabSize)
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("model: %w", err)
	}
	if err := o.checkMemory(cfg, false); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// sizes is the configuration of ModelConfig, unchecked: the preset's
// switches with these options' sizes. An unknown preset gives gpt's
// switches (Validate reports it).
func (o Options) sizes(vocabSize int) transformer.Config {
	cfg, err := transformer.Preset(o.Preset)
	if err != nil {
		cfg, _ = transformer.Preset("gpt")
	}
	base := cfg
	cfg.VocabSize, cfg.Layers, cfg.Heads, cfg.Dim, cfg.Context, cfg.Dropout = vocabSize, o.Layers, o.Heads, o.Dim, o.Context, o.Dropout
	cfg.KVHeads = o.KVHeads
	if cfg.KVHeads == 0 {
		// Keep the preset's grouping (llama: 2 query heads per key/value head).
		group := base.Heads / base.KVHeads
		cfg.KVHeads = o.Heads
		if group > 1 && o.Heads%group == 0 {
			cfg.KVHeads = o.Heads / group
		}
	}
	cfg.FFDim = o.FFDim
	if cfg.FFDim == 0 {
		cfg.FFDim = 4 * o.Dim // GPT-2: four times the width
		if cfg.MLP == "swiglu" {
			// Llama: 2/3 of 4*Dim (three matrices instead of two), up to a multiple of 32.
			cfg.FFDim = (8*o.Dim/3 + 31) / 32 * 32
		}
	}
	return cfg
}

// mayChangeOnResume lists the options a resumed run may set differently:
// they change how long it runs and what it reports, not what it computes.
var mayChangeOnResume = []string{"data", "steps", "eval-every", "eval-batches", "sample-tokens", "prompt", "time-limit"}

// resumeMismatch names the options that differ between a saved run and the
// options given to resume it, as "--flag NEW (run has OLD)".
func resumeMismatch(saved, given Options) (string, error) {
	a, err := optionMap(saved)
	if err != nil {
		return "", err
	}
	b, err := optionMap(given)
	if err != nil {
		return "", err
	}
	var diffs []string
	for k, v := range a {
		if slices.Contains(mayChangeOnResume, k) {
			continue
		}
		if string(b[k]) != string(v) {
			diffs = append(diffs, fmt.Sprintf("--%s %s (run has %s)", k, b[k], v))
		}
	}
	for k, v := range b { // an option the saved run omitted (precision: runs before it existed)
		if _, ok := a[k]; !ok && !slices.Contains(mayChangeOnResume, k) {
			diffs = append(diffs, fmt.Sprintf("--%s %s (run has none)", k, v))
		}
	}
	slices.Sort(diffs)
	return strings.Join(diffs, ", "), nil
}

func optionMap(o Options) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	err = json.Unmarshal(b, &m)
	return m, err
}

// SavedOptions returns the options of the run in folder out (from
// out/last), so a command line can resume it without repeating them.
func SavedOptions(out string) (Options, error) {
	from, _, err := checkpoint.ResumeFrom(out)
	if err != nil {
		if errors.Is(err, checkpoint.ErrNoCheckpoint) {
			return Options{}, fmt.Errorf("nothing to resume in %s: it has no last checkpoint; start a new run without --resume", out)
		}
		return Options{}, err
	}
	dir, st, err := checkpoint.ReadState(from)
	if err != nil {
		if errors.Is(err, checkpoint.ErrNoCheckpoint) {
			return Options{}, fmt.Errorf("nothing to resume in %s: it has no last checkpoint; start a new run without --resume", out)
		}
		return Options{}, err
	}
	var o Options
	if err := json.Unmarshal(st.Options, &o); err != nil {
		return Options{}, fmt.Errorf("checkpoint %s is damaged: its saved options do not read (%v); restore %s from a copy, or start a new run with another --out", dir, err, filepath.Join(dir, checkpoint.StateFile))
	}
	o.Out, o.Resume = out, true
	// The user typed none of these: name them as the run's, not as flags.
	if err := o.Validate(); err != nil {
		var oe *OptionError
		if errors.As(err, &oe) {
			return Options{}, fmt.Errorf("checkpoint %s is damaged: its saved option %s is %v, which is out of range (it must be %s); restore %s from a copy, or start a new run with another --out", dir, oe.Flag, oe.Value, oe.Want, filepath.Join(dir, checkpoint.StateFile))
		}
		return Options{}, fmt.Errorf("checkpoint %s: its saved options: %w", dir, err)
	}
	return o, nil
}
