package train_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// The learning rate rises linearly for the warmup steps, then follows a
// half cosine down to the minimum at the last step.
func ExampleSchedule_LR() {
	s := train.Schedule{Max: 1e-3, Min: 1e-4, Warmup: 100, Steps: 2000}
	for _, step := range []int{1, 50, 100, 1050, 2000} {
		fmt.Printf("step %4d: lr %.6f\n", step, s.LR(step))
	}
	// Output:
	// step    1: lr 0.000010
	// step   50: lr 0.000500
	// step  100: lr 0.001000
	// step 1050: lr 0.000550
	// step 2000: lr 0.000100
}

// Run trains a model and fills a run folder; a library caller passes
// options (here a tiny model for a few steps) and a writer for the log.
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "tick-example-")
	defer os.RemoveAll(dir)
	o := train.DefaultOptions()
	o.Data = data.EmbeddedName
	o.Layers, o.Heads, o.Dim, o.Context, o.Batch = 1, 2, 16, 16, 4
	o.Steps, o.Warmup, o.EvalEvery, o.SampleTokens = 10, 2, 5, 0
	o.Out = filepath.Join(dir, "run")
	r, err := train.Run(context.Background(), o, io.Discard)
	if err != nil {
		fmt.Println(err)
		return
	}
	entries, _ := os.ReadDir(o.Out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	fmt.Println(strings.Join(names, " "))
	fmt.Printf("trained %d steps\n", r.Step)
	// Output:
	// .tick-run.lock best last loss.png metrics.jsonl tick-run.json
	// trained 10 steps
}

// An Optimizer makes the steps of a training loop: here it teaches a tiny
// model that 1 follows 0 and 0 follows 1.
func ExampleOptimizer() {
	cfg, _ := transformer.Preset("gpt")
	cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = 2, 4, 1, 1, 1, 8, 16
	m, _ := transformer.New(cfg, 1)
	sched := train.Schedule{Max: 1e-2, Min: 1e-3, Warmup: 5, Steps: 100}
	opt, _ := train.NewOptimizer(m, train.NewAdamWFor(m, 0.9, 0.95, 0.1), sched, 1, 1)
	x, y := []int{0, 1, 0, 1}, []int{1, 0, 1, 0} // one window of 4 tokens
	first, _, _ := opt.Step(1, x, y, 1, 4)
	var last float64
	for step := 2; step <= 100; step++ {
		last, _, _ = opt.Step(step, x, y, 1, 4)
	}
	fmt.Printf("loss at step 1 near ln 2: %v; after 100 steps below 0.05: %v\n", math.Abs(first-math.Ln2) < 0.2, last < 0.05)
	// Output: loss at step 1 near ln 2: true; after 100 steps below 0.05: true
}
