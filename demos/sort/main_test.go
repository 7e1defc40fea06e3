package main

import (
	"bytes"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/tick-llm/tick/demos/internal/demotest"
	"github.com/tick-llm/tick/demos/internal/seqtask"
)

// TestTask checks the data against definitions: every input appears exactly
// once across the two sets, and each sequence is its input followed by a
// sorted permutation of it.
func TestTask(t *testing.T) {
	tk := task{4, 3}
	trainSet, testSet, err := seqtask.Split(tk, 20, 1, 0x736f7274, "sequences")
	if err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(trainSet), testSet...)
	slices.Sort(all)
	for i, id := range all {
		if id != i {
			t.Fatalf("split lost or repeated input %d", i)
		}
	}
	seq := make([]int, tk.SeqLen())
	for id := range tk.Count() {
		tk.Encode(seq, id)
		in, out := seq[:4], seq[4:]
		if !slices.IsSorted(out) {
			t.Fatalf("input %d: %v is not sorted", id, out)
		}
		for s := range tk.symbols {
			if count(in, s) != count(out, s) {
				t.Fatalf("input %d: %v is not a permutation of %v", id, out, in)
			}
		}
		v := 0
		for _, d := range in {
			v = v*tk.symbols + d
		}
		if v != id {
			t.Fatalf("input %d encoded as %v", id, in)
		}
	}
	if _, _, err := seqtask.Split(tk, 0, 1, 0x736f7274, "sequences"); err == nil {
		t.Error("split with no held-out inputs: no error")
	}
}

func count(s []int, v int) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// TestAccuracyMatchesCache checks the batched greedy decoding against an
// independent one: each input alone, token by token, through the model's
// key/value cache.
func TestAccuracyMatchesCache(t *testing.T) {
	tk := task{4, 3}
	m := demotest.TaskModel(t, tk, 3, 16, 25) // partly trained
	all := make([]int, tk.Count())
	for i := range all {
		all[i] = i
	}
	acc, wrong, err := accuracy(tk, m, all)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	seq := make([]int, tk.SeqLen())
	for _, id := range all {
		tk.Encode(seq, id)
		got := demotest.GreedyByCache(t, m, seq[:tk.PromptLen()], tk.SeqLen()-tk.PromptLen())
		if slices.Equal(got, seq[tk.PromptLen():]) {
			right++
		}
	}
	demotest.SameAccuracy(t, acc, len(wrong), right, len(all))
}

// TestRun runs the demo on a small task and checks the reported accuracy is
// consistent: a fraction in [0,1] equal to right/total, with that many
// mistakes listed.
func TestRun(t *testing.T) {
	cfg := defaultConfig()
	cfg.Length, cfg.Symbols = 4, 3
	cfg.Layers, cfg.Heads, cfg.Dim = 1, 2, 32
	cfg.Batch, cfg.Steps, cfg.EvalEvery, cfg.TimeLimit = 32, 100, 50, time.Duration(0)
	cfg.ShowMistakes = 100
	var buf bytes.Buffer
	if err := run(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	right, total := demotest.HeldOut(t, out, "sequences sorted right")
	if want := int(cfg.HeldOutFrac * 81); total != want {
		t.Errorf("%d held out, want %d", total, want)
	}
	if mistakes := len(regexp.MustCompile(`(?m)^  [0-2]{4} -> `).FindAllString(out, -1)); mistakes != total-right {
		t.Errorf("%d mistakes listed, want %d", mistakes, total-right)
	}
}
