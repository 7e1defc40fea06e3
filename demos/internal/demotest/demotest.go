// Package demotest makes what the demos' tests run on: a short repetitive
// text and a tiny model trained on it in a second or two.
package demotest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/train"
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
