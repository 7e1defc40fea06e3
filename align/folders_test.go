package align

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/train"
)

// saveByteBase writes a fresh byte-level model as a tick run: a stand-in
// for a pretrained base, in milliseconds.
func saveByteBase(t *testing.T, dir string) {
	t.Helper()
	m := byteModel(t, "gpt", 32)
	tok, spec, err := tokenizer.Build("byte", "")
	if err != nil || tok.VocabSize() != 256 {
		t.Fatal(err)
	}
	adam := train.NewAdamWFor(m, 0.9, 0.95, 0)
	rf, err := checkpoint.CreateRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	if err := checkpoint.Save(filepath.Join(dir, checkpoint.Last), &checkpoint.Checkpoint{Model: m, TokSpec: spec, M: adam.M, V: adam.V}); err != nil {
		t.Fatal(err)
	}
}

// The pipeline on run folders: every stage's folder, the pairs and the
// table are written; the same seed gives the same table; a folder holding
// the user's files is refused and nothing in it changes.
func TestFolderRunDeterministic(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base")
	saveByteBase(t, base)
	p := tinyPipeline()
	p.SFT.Steps = 80
	var tables [2]string
	for i := range tables {
		f := FolderRun{Pipeline: p, Task: Task{HeldOut: 8, SplitSeed: 2, Synthetic: 20}, Base: base, Out: filepath.Join(dir, "run", string(rune('a'+i)))}
		res, err := f.Run(context.Background(), &strings.Builder{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 4 {
			t.Fatalf("%d rows, want base, SFT, RLHF, DPO", len(res.Rows))
		}
		b, err := os.ReadFile(filepath.Join(f.Out, "table.txt"))
		if err != nil {
			t.Fatal(err)
		}
		tables[i] = string(b)
		for _, name := range []string{"sft", "reward", "rlhf", "dpo"} {
			if _, _, err := checkpoint.LoadModel(filepath.Join(f.Out, name)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := ReadPairs(filepath.Join(f.Out, "pairs.jsonl")); err != nil {
			t.Error(err)
		}
		// Run again without --resume: refused, an earlier run is there.
		if _, err := f.Run(context.Background(), &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "--resume") {
			t.Errorf("a second run into %s: %v", f.Out, err)
		}
	}
	if tables[0] != tables[1] {
		t.Errorf("same seed, different tables:\n%s\n%s", tables[0], tables[1])
	}
	// Ctrl-C as the RL stage starts, then --resume: the same table.
	ctx, cancel := context.WithCancel(context.Background())
	f := FolderRun{Pipeline: p, Task: Task{HeldOut: 8, SplitSeed: 2, Synthetic: 20}, Base: base, Out: filepath.Join(dir, "run", "cut"), Command: "tick align all"}
	_, err := f.Run(ctx, cancelOn{"rlhf:", cancel})
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "tick align all --resume") {
		t.Fatalf("interrupted pipeline: %v", err)
	}
	f.Resume = true
	if _, err := f.Run(context.Background(), &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(f.Out, "table.txt")); string(b) != tables[0] {
		t.Errorf("resumed pipeline's table:\n%s\nuninterrupted:\n%s", b, tables[0])
	}
	mine := filepath.Join(dir, "mine")
	os.MkdirAll(mine, 0o755)
	os.WriteFile(filepath.Join(mine, "notes.txt"), []byte("x"), 0o644)
	f = FolderRun{Pipeline: p, Task: Task{HeldOut: 8, SplitSeed: 2}, Base: base, Out: mine}
	if _, err := f.Run(context.Background(), &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("a folder of the user's: %v", err)
	}
	if err := f.Clear(); err == nil {
		t.Error("Clear accepted a folder of the user's")
	}
	if b, _ := os.ReadFile(filepath.Join(mine, "notes.txt")); string(b) != "x" {
		t.Error("the user's file changed")
	}
}

// cancelOn is a writer that cancels when a line it is given holds text.
type cancelOn struct {
	text   string
	cancel func()
}

func (c cancelOn) Write(b []byte) (int, error) {
	if strings.Contains(string(b), c.text) {
		c.cancel()
	}
	return len(b), nil
}

// tinyPipeline is a pipeline small enough for a test: one layer of width
// 16, a few steps per stage.
func tinyPipeline() Pipeline {
	return Pipeline{
		Sizes: Sizes{Layers: 1, Heads: 2, Dim: 16}, HeldOut: 8, Seed: 3,
		SFT:     Plan{Steps: 60, Batch: 8, LR: 1e-2, Seed: 3},
		Samples: 3,
		Reward:  Plan{Steps: 3, Batch: 4, LR: 1e-3, Seed: 3},
		RL:      RLPlan{Plan: Plan{Steps: 3, Batch: 4, LR: 1e-3, Seed: 3}, KLCoef: 0.05},
		DPO:     Plan{Steps: 3, Batch: 4, LR: 1e-3, Seed: 3},
		Beta:    0.1,
	}
}
