// Package demotest makes what the demos' tests run on: a short repetitive
// text and a tiny model trained on it in a second or two.
package demotest

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tick-llm/tick/demos/internal/seqtask"
	"github.com/tick-llm/tick/internal/tinymodel"
	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// Text writes a short repetitive English text into dir and returns its path.
func Text(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("the cat sat on the mat. ", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Options are training options for a tiny char-level model (width 16,
// context 16) of the given size on Text, for steps steps.
func Options(t testing.TB, dir string, layers, heads, steps int) train.Options {
	o := train.DefaultOptions()
	o.Data = Text(t, dir)
	o.Layers, o.Heads, o.Dim, o.Context = layers, heads, 16, 16
	o.Batch, o.Steps, o.Warmup, o.LR = 4, steps, 5, 1e-2
	o.EvalEvery, o.EvalBatches, o.SampleTokens = steps, 1, 0
	o.TimeLimit = 0
	o.Out = filepath.Join(dir, "run")
	return o
}

// Run trains a tiny model (30 steps) into a new run folder and returns it.
func Run(t testing.TB, layers, heads int) string {
	t.Helper()
	o := Options(t, t.TempDir(), layers, heads, 30)
	if _, err := train.Run(context.Background(), o, io.Discard); err != nil {
		t.Fatal(err)
	}
	return o.Out
}

// HeldOut reads the line seqtask.Report prints, "Held-out accuracy: R of N
// <right> = A", checks that A is R/N to the four decimals printed, and
// returns R and N.
func HeldOut(t testing.TB, out, right string) (r, n int) {
	t.Helper()
	re := regexp.MustCompile(`Held-out accuracy: (\d+) of (\d+) ` + regexp.QuoteMeta(right) + ` = ([0-9.]+)`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no held-out accuracy (%q) in the output:\n%s", right, out)
	}
	r, _ = strconv.Atoi(m[1])
	n, _ = strconv.Atoi(m[2])
	if acc, _ := strconv.ParseFloat(m[3], 64); acc < 0 || acc > 1 || n == 0 || fmt.Sprintf("%.4f", float64(r)/float64(n)) != m[3] {
		t.Errorf("accuracy %s is not %d/%d", m[3], r, n)
	}
	return r, n
}

// TaskModel is a one-layer model (width 16) partly trained on every example
// of a sequence task over vocab tokens: steps steps of batch examples, so
// that it gets some answers right and some wrong.
func TaskModel(t testing.TB, task seqtask.Task, vocab, batch, steps int) *transformer.Model {
	t.Helper()
	m := tinymodel.New(t, "gpt", tinymodel.Sizes{Vocab: vocab, Context: task.SeqLen() - 1, Layers: 1, Heads: 2, KVHeads: 2, Dim: 16, FFDim: 64}, 5)
	l, err := seqtask.NewLearner(task, m, batch, steps, 1e-2, 5)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, task.Count())
	for i := range all {
		all[i] = i
	}
	for n := 1; n <= steps; n++ {
		if _, err := l.Step(n, all); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// GreedyByCache answers one prompt the slow, plain way, as a reference for
// seqtask.Complete's batched decoding: token by token through the model's
// key/value cache, always the most likely next token, n tokens.
func GreedyByCache(t testing.TB, m *transformer.Model, prompt []int, n int) []int {
	t.Helper()
	c := m.NewCache()
	var logits []float64
	var err error
	for _, tok := range prompt {
		if logits, err = c.Push(tok); err != nil {
			t.Fatal(err)
		}
	}
	var got []int
	for k := range n {
		next := slices.Index(logits, slices.Max(logits))
		got = append(got, next)
		if k < n-1 {
			if logits, err = c.Push(next); err != nil {
				t.Fatal(err)
			}
		}
	}
	return got
}

// SameAccuracy checks a task demo's accuracy against the one counted from
// GreedyByCache (right of total examples), and that it lists a mistake for
// each example it got wrong; the model must get some right and some wrong.
func SameAccuracy(t testing.TB, acc float64, mistakes, right, total int) {
	t.Helper()
	t.Logf("accuracy %.4f (%d of %d right)", acc, right, total)
	if right == 0 || right == total {
		t.Errorf("the model got %d of %d right; the comparison needs a model that gets some wrong and some right", right, total)
	}
	if want := float64(right) / float64(total); math.Abs(acc-want) > 1e-12 {
		t.Errorf("batched accuracy %.4f, one by one through the cache %.4f", acc, want)
	}
	if mistakes != total-right {
		t.Errorf("%d mistakes listed, want %d", mistakes, total-right)
	}
}
