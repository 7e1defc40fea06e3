package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/demos/internal/demotest"
	"github.com/tick-llm/tick/internal/pngfile"
)

// tinyConfig trains a one-layer model of width 16 on a short repetitive
// text: enough steps for the loss to fall, a second or two of work.
func tinyConfig(t *testing.T) config {
	o := demotest.Options(t, t.TempDir(), 1, 2, 40)
	o.EvalEvery, o.SampleTokens = 20, 10
	return config{Train: o, Prompt: "the ", SampleTokens: 20, Temperature: 0.8, LossWindows: 8}
}

var lossLine = regexp.MustCompile(`unseen windows of ([0-9.]+)\n\(it was ([0-9.]+)\)`)

// TestRun trains twice into the same folder (the second run replaces the
// first) and checks: the loss on unseen text fell, the run folder loads as a
// model, and its loss plot is a PNG.
func TestRun(t *testing.T) {
	cfg := tinyConfig(t)
	for i := range 2 {
		var buf bytes.Buffer
		if err := run(context.Background(), &buf, cfg); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		out := buf.String()
		m := lossLine.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("run %d: no before/after loss in the output:\n%s", i+1, out)
		}
		after, _ := strconv.ParseFloat(m[1], 64)
		before, _ := strconv.ParseFloat(m[2], 64)
		if !(after < before) {
			t.Errorf("run %d: loss went from %.3f to %.3f; training should lower it", i+1, before, after)
		}
		if i == 1 && !strings.Contains(out, "is replaced") {
			t.Error("second run did not say it replaced the first")
		}
	}
	m, tok, err := checkpoint.LoadModel(cfg.Train.Out)
	if err != nil {
		t.Fatalf("run folder: %v", err)
	}
	if m.Config.VocabSize < tok.VocabSize() {
		t.Errorf("model vocabulary %d < tokenizer's %d", m.Config.VocabSize, tok.VocabSize())
	}
	if _, err := pngfile.Read(filepath.Join(cfg.Train.Out, "loss.png")); err != nil {
		t.Errorf("loss.png: %v", err)
	}
}

// TestRefusesForeignFolder checks that the demo never deletes a folder that
// is not a training run.
func TestRefusesForeignFolder(t *testing.T) {
	cfg := tinyConfig(t)
	if err := os.MkdirAll(cfg.Train.Out, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(cfg.Train.Out, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), &bytes.Buffer{}, cfg)
	if err == nil || !strings.Contains(err.Error(), "not a training run") {
		t.Errorf("run into a foreign folder: error %v, want one saying it is not a training run", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the foreign file was removed: %v", err)
	}
}
