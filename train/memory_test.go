package train

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/tick-llm/tick/eval"
	"github.com/tick-llm/tick/internal/memory"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// pretend makes this machine have gb gigabytes for the rest of the test.
func pretend(t *testing.T, gb float64) {
	restore := memory.SetMachineForTest(memory.Limit{Bytes: gb * 1e9, Source: "pretend"}, true)
	t.Cleanup(restore)
}

// TestMemoryRefusals runs the sizes issue 15 found crashing out of memory
// on a pretend 24 GB machine: each is refused by Run at once, in one line
// with the figures and the flag to lower, before the run folder exists
// and with almost nothing allocated. The default run, and the same runs
// on a machine with room for them, are not refused.
func TestMemoryRefusals(t *testing.T) {
	pretend(t, 24)
	cases := []struct {
		name  string
		edit  func(o *Options)
		lower string // what the advice must name
	}{
		{"layers", func(o *Options) { o.Layers = 100000 }, "lower --layers"},
		{"dim with one head", func(o *Options) { o.Dim, o.Heads = 16384, 1 }, "lower --dim"},
		{"ff-dim", func(o *Options) { o.FFDim = 100000000 }, "lower --ff-dim"},
		{"batch 1e9", func(o *Options) { o.Batch = 1000000000 }, "lower --batch"},
		{"batch 1e8", func(o *Options) { o.Batch = 100000000 }, "lower --batch"},
		{"eval-batches", func(o *Options) { o.EvalBatches = 1000000000 }, "lower --eval-batches"},
		{"sample-tokens", func(o *Options) { o.SampleTokens = 1000000000 }, "lower --sample-tokens"},
		{"context", func(o *Options) { o.Context = 100000 }, "lower --context"},
		{"resumed batch", func(o *Options) { o.Batch, o.Resume = 1000000000, true }, "cannot change on --resume"},
		{"resumed sample-tokens", func(o *Options) { o.SampleTokens, o.Resume = 1000000000, true }, "lower --sample-tokens"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Out = t.TempDir() + "/run"
			c.edit(&o)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Run(context.Background(), o, new(bytes.Buffer))
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("Run accepted a run far larger than the machine")
			}
			msg := err.Error()
			for _, want := range []string{"this run needs at least", "of memory", "but this machine has 24 GB (pretend)", c.lower} {
				if !strings.Contains(msg, want) {
					t.Errorf("the message does not say %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("the message is more than one line:\n%s", msg)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 10<<20 {
				t.Errorf("the refusal allocated %d bytes; it must come before the big allocations", got)
			}
			if _, err := os.Stat(o.Out); err == nil {
				t.Errorf("the refused run created its folder %s", o.Out)
			}
			// On a machine with room for it, the same options pass the
			// check (the estimate is what refuses, not the values).
			restore := memory.SetMachineForTest(memory.Limit{Bytes: 1e30, Source: "huge"}, true)
			defer restore()
			if err := o.Validate(); err != nil {
				t.Errorf("refused even with room: %v", err)
			}
		})
	}
	if err := DefaultOptions().Validate(); err != nil {
		t.Errorf("the default run is refused on 24 GB: %v", err)
	}
	if _, err := DefaultOptions().ModelConfig(91); err != nil {
		t.Errorf("the default model is refused on 24 GB: %v", err)
	}
}

// TestMemoryVocabulary: the vocabulary is only known after the tokenizer
// is built, so ModelConfig checks again: o200k_base's 200,019 logits per
// position for a batch of 200 windows do not fit, and the advice names the
// vocabulary.
func TestMemoryVocabulary(t *testing.T) {
	pretend(t, 24)
	o := DefaultOptions()
	o.Batch = 200
	if err := o.Validate(); err != nil {
		t.Fatalf("with a small vocabulary the run fits, but Validate says: %v", err)
	}
	_, err := o.ModelConfig(200019)
	if err == nil || !strings.Contains(err.Error(), "this run needs about") || !strings.Contains(err.Error(), "use a smaller vocabulary") {
		t.Errorf("ModelConfig(200019) = %v; want a refusal that advises a smaller vocabulary", err)
	}
}

// TestMemoryEstimateMatchesATrainingStep measures what a run holds against
// Memory's parts: the model, its gradients and AdamW's moments after a
// real optimiser step; the activations after a training step and an
// evaluation batch of one window fewer (the shape the final validation
// pass can end with), which the model keeps side by side.
func TestMemoryEstimateMatchesATrainingStep(t *testing.T) {
	for _, c := range []struct{ preset, precision string }{{"gpt", "float32"}, {"llama", "float32"}, {"gpt", "float64"}} {
		t.Run(c.preset+"/"+c.precision, func(t *testing.T) {
			o := DefaultOptions()
			o.Preset, o.Layers, o.Dim, o.Context, o.Batch, o.Dropout = c.preset, 2, 64, 64, 8, 0.1
			o.Precision = c.precision
			if shardsFor(o.Batch, o.Context) < 2 {
				t.Fatal("the batch is not shared among replicas: the test misses their memory")
			}
			const vocab = 300
			cfg, err := o.ModelConfig(vocab)
			if err != nil {
				t.Fatal(err)
			}
			parts := map[string]float64{}
			perStep := 0.0 // what a step and an evaluation allocate: activations, weight copies, replicas
			for _, p := range o.Memory(vocab) {
				parts[strings.Fields(p.What)[0]] = p.Bytes
				if strings.HasPrefix(p.What, "activations") || strings.Contains(p.What, "replicas") {
					perStep += p.Bytes
				}
			}

			base := memory.LiveHeap()
			m, err := transformer.New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			prec, _ := o.Compute()
			if err := m.SetCompute(prec); err != nil {
				t.Fatal(err)
			}
			opt, err := NewOptimizer(m, NewAdamWFor(m, o.Beta1, o.Beta2, o.WeightDecay), Schedule{Max: 1e-3, Steps: 10}, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			weights := memory.LiveHeap() - base

			rng := rand.New(rand.NewPCG(1, 2))
			tokens := make([]int, 5000)
			for i := range tokens {
				tokens[i] = rng.IntN(vocab)
			}
			batches := NewBatcher(tokens, o.Batch, o.Context, 1)
			before := memory.LiveHeap()
			if _, _, err := opt.StepAccum(1, 1, o.Batch, o.Context, batches.Next); err != nil {
				t.Fatal(err)
			}
			windows := FixedWindows(tokens, o.Context, 2*o.Batch-1, 3) // a whole batch and the last, smaller one
			models := opt.sharers(o.Batch, o.Context)                  // as run.go evaluates
			if _, err := eval.WindowsShared(context.Background(), models, tokenizer.Byte{}, tokens, windows, o.Batch); err != nil {
				t.Fatal(err)
			}
			acts := memory.LiveHeap() - before
			runtime.KeepAlive(opt)
			runtime.KeepAlive(m)

			check := func(what string, est, got float64) {
				t.Helper()
				t.Logf("%s: estimate %s, measured %s (ratio %.3f)", what, memory.Format(est), memory.Format(got), est/got)
				if r := est / got; r < 0.95 || r > 1.1 {
					t.Errorf("%s: estimate %.0f bytes, measured %.0f: ratio %.3f is outside [0.95, 1.1]", what, est, got, r)
				}
			}
			check("weights, gradients and AdamW moments", parts["weights,"], weights)
			check("activations of a training and an evaluation batch, replicas and float32 copies", perStep, acts)
		})
	}
}
