package train

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"unsafe"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/internal/memory"
	"github.com/tick-llm/tick/internal/words"
	"github.com/tick-llm/tick/transformer"
)

// MemoryPart is one part of the memory a training run needs.
type MemoryPart struct {
	What  string   // e.g. "weights, gradients and AdamW moments of 1.2e+07 parameters"
	Bytes float64  // its size
	Flags []string // the flags that shrink it, most direct first, e.g. "--batch"
}

// Memory estimates the memory a run of these options needs with a
// vocabulary of vocabSize tokens, part by part, largest first. It counts
// what the run keeps while it trains (the token stream of the text
// aside, which data.Read checks against the machine when it reads the
// file):
//
//   - the model's weights and gradients, and AdamW's two moments: four
//     float64 per parameter (and, on --resume, the moments the checkpoint
//     holds until they are copied);
//   - the activations of a batch of Batch windows of Context tokens, kept
//     for the backward pass (with dropout masks when Dropout > 0), and
//     those of the last, smaller batch of the final pass over the
//     validation split, which the model keeps beside the first; in float32
//     compute most of them take half the bytes;
//   - when a batch is shared among replicas (shards.go), each replica's
//     gradients and activations instead of the model's (evaluation shares
//     its batches the same way); in float32 compute, the float32 copies of
//     the weights and of their gradients that each model computes with;
//   - the fixed evaluation windows (EvalBatches x Batch of them, for the
//     training and the validation split) and the batches of token ids;
//   - the sample: a key/value cache and SampleTokens ids and their text.
//
// Not counted: the metrics of each step, kept for the loss plot, which grow
// by 72 bytes a step as the run goes (a gigabyte every 14 million steps),
// and small buffers of a few kilobytes.
//
// Sizes are float64 so that absurd options (--batch 1000000000 --dim
// 16384) give an absurd figure instead of overflowing.
func (o Options) Memory(vocabSize int) []MemoryPart {
	cfg := o.sizes(vocabSize)
	return o.memoryOf(cfg)
}

func (o Options) memoryOf(cfg transformer.Config) []MemoryPart {
	P := memory.Params(cfg)
	weights := memory.Model(cfg) + 2*8*P // + AdamW m and v
	if o.Resume {
		weights += 2 * 8 * P // the checkpoint's moments, until copied into the optimiser
	}
	B, T := o.Batch, o.Context
	prec, err := o.Compute()
	if err != nil {
		prec = transformer.Float64 // Validate reports the bad --precision
	}
	procs := float64(runtime.GOMAXPROCS(0))
	shards := shardsFor(B, T)
	acts := 0.0
	if shards == 1 {
		acts = memory.ActivationsOf(cfg, B, T, o.Dropout > 0, prec, procs)
		if B > 1 {
			// The final validation pass ends with a batch of fewer windows
			// (up to B-1), a second shape whose buffers the model keeps too.
			acts += memory.ActivationsOf(cfg, B-1, T, false, prec, procs)
		}
	} else {
		// Each replica keeps its shard of a batch and, where it differs,
		// its shard of the last, smaller evaluation batch (eval.WindowsShared).
		inner := float64(innerWorkers(shards))
		for i := range shards {
			lo, hi := shard(i, shards, B)
			acts += memory.ActivationsOf(cfg, hi-lo, T, o.Dropout > 0, prec, inner)
			if k := min(shards, B-1); i < k {
				if plo, phi := shard(i, k, B-1); phi-plo != hi-lo {
					acts += memory.ActivationsOf(cfg, phi-plo, T, false, prec, inner)
				}
			}
		}
	}
	// Each replica's float64 gradients; in float32 compute every model's
	// float32 values and weight gradients (bounded by all parameters).
	copies := 0.0
	if shards > 1 {
		copies += float64(shards) * 8 * P
	}
	if prec == transformer.Float32 {
		copies += float64(1+shards) * 2 * memory.ValueBytes(prec) * P
	}
	n := float64(B) * float64(T)
	windows := 2 * float64(o.EvalBatches) * float64(B) * float64(unsafe.Sizeof(struct{ a, b int }{}))
	batches := 2 * 2 * 8 * n   // x and y of a training batch and of an evaluation batch
	const textPerToken = 4 * 3 // a token's bytes (up to 4 for a character) in the decoded sample, its string and its wrapped lines
	sample := 0.0
	if o.SampleTokens > 0 {
		sample = memory.Cache(cfg) + float64(o.SampleTokens)*(2*8+textPerToken) // ids in the generator and in the result
	}

	params := []string{"--layers", "--dim", "--ff-dim"}
	if float64(cfg.VocabSize)*float64(cfg.Dim) > P/2 {
		params = []string{"--tokenizer", "--dim"} // the embedding dominates
	}
	actFlags := []string{"--batch", "--context", "--layers", "--dim", "--ff-dim", "--heads"}
	if float64(cfg.VocabSize) > 4*float64(cfg.Layers)*float64(cfg.FFDim) {
		actFlags = append(actFlags, "--tokenizer") // the logits are batch x context x vocabulary
	}
	parts := []MemoryPart{
		{fmt.Sprintf("weights, gradients and AdamW moments of %.3g parameters", P), weights, params},
		{fmt.Sprintf("activations of --batch %d x --context %d tokens through %s", B, T, words.Count(cfg.Layers, "layer")), acts, actFlags},
		{fmt.Sprintf("--eval-batches %d x --batch %d evaluation windows", o.EvalBatches, B), windows + batches, []string{"--eval-batches", "--batch"}},
		{copiesOf(prec, shards), copies, params},
		{fmt.Sprintf("--sample-tokens %d of sample text and its key/value cache", o.SampleTokens), sample, []string{"--sample-tokens", "--layers", "--context", "--dim"}},
	}
	slices.SortStableFunc(parts, func(a, b MemoryPart) int {
		switch {
		case a.Bytes > b.Bytes:
			return -1
		case a.Bytes < b.Bytes:
			return 1
		}
		return 0
	})
	return parts
}

// copiesOf names the memory part of the weight copies and replicas.
func copiesOf(prec transformer.Precision, shards int) string {
	replicas := fmt.Sprintf("the gradients of %d replicas sharing each batch", shards)
	switch {
	case shards == 1:
		return "copies of the weights for float32 compute"
	case prec == transformer.Float32:
		return "copies of the weights for float32 compute and " + replicas
	}
	return replicas
}

// total is the sum of the parts.
func total(parts []MemoryPart) float64 {
	t := 0.0
	for _, p := range parts {
		t += p.Bytes
	}
	return t
}

// checkMemory refuses a run whose estimate exceeds the memory of this
// machine, in one line: the figures, the parts that make most of it, and
// the flags to lower. lowerBound says the estimate is for the smallest
// possible vocabulary (before the tokenizer is built), so the run needs
// at least that much.
func (o Options) checkMemory(cfg transformer.Config, lowerBound bool) error {
	parts := o.memoryOf(cfg)
	need := total(parts)
	err := memory.Check(need)
	var tl *memory.TooLargeError
	if !errors.As(err, &tl) {
		return err
	}
	// The parts worth naming: the largest, and any other that alone
	// takes half the machine.
	big := parts[:1]
	for _, p := range parts[1:] {
		if p.Bytes > tl.Have.Bytes/2 {
			big = append(big, p)
		}
	}
	var what, flags []string
	for _, p := range big {
		what = append(what, fmt.Sprintf("%s: %s", p.What, memory.Format(p.Bytes)))
		// Name the flags this run set above their defaults: that is the
		// mistake to undo. If there are none, all the part's flags.
		raised := slices.DeleteFunc(slices.Clone(p.Flags), func(f string) bool { return !o.raised(f, cfg) })
		if len(raised) == 0 {
			raised = p.Flags
		}
		for _, f := range raised {
			if !slices.Contains(flags, f) {
				flags = append(flags, f)
			}
		}
	}
	about := "about"
	if lowerBound {
		about = "at least"
	}
	return fmt.Errorf("this run needs %s %s of memory (%s), but this machine has %s; %s",
		about, memory.Format(need), strings.Join(what, "; "), tl.Have, o.memoryAdvice(flags))
}

// memoryAdvice says how to shrink a run by the given flags. A resumed run
// can lower only the options it may change on --resume; the others were
// fixed when it started (and come from its state.json).
func (o Options) memoryAdvice(flags []string) string {
	var fixed []string
	if o.Resume {
		flags = slices.DeleteFunc(slices.Clone(flags), func(f string) bool {
			if slices.Contains(mayChangeOnResume, strings.TrimPrefix(f, "--")) {
				return false
			}
			fixed = append(fixed, f)
			return true
		})
	}
	vocab := slices.Contains(flags, "--tokenizer")
	flags = slices.DeleteFunc(flags, func(f string) bool { return f == "--tokenizer" })
	var advice []string
	if len(flags) > 0 {
		a := "lower " + orList(flags)
		if slices.Contains(flags, "--batch") {
			a += " (--grad-accum N makes one step of N smaller batches)"
		}
		advice = append(advice, a)
	}
	if vocab {
		advice = append(advice, "use a smaller vocabulary (--tokenizer char, byte or a .tiktoken file of your own)")
	}
	if len(fixed) > 0 {
		advice = append(advice, fmt.Sprintf("the run's %s (in %s) cannot change on --resume: resume it on a machine with more memory, or start a new run with another --out",
			andList(fixed), filepath.Join(o.Out, checkpoint.Last, checkpoint.StateFile)))
	}
	return strings.Join(advice, ", or ")
}

// raised reports whether the option of flag is set above its default, so
// that it makes the run larger than the default run.
func (o Options) raised(flag string, cfg transformer.Config) bool {
	d := DefaultOptions()
	switch flag {
	case "--batch":
		return o.Batch > d.Batch
	case "--context":
		return o.Context > d.Context
	case "--layers":
		return o.Layers > d.Layers
	case "--dim":
		return o.Dim > d.Dim
	case "--ff-dim":
		return o.FFDim > 4*d.Dim
	case "--heads":
		return o.Heads > d.Heads
	case "--eval-batches":
		return o.EvalBatches > d.EvalBatches
	case "--sample-tokens":
		return o.SampleTokens > d.SampleTokens
	case "--tokenizer":
		return cfg.VocabSize > 256
	}
	return false
}

// orList joins items as "a", "a or b", "a, b or c".
func orList(items []string) string { return list(items, " or ") }

// andList joins items as "a", "a and b", "a, b and c".
func andList(items []string) string { return list(items, " and ") }

func list(items []string, last string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}
