package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/pngfile"
	"github.com/tick-llm/tick/multimodal"
)

// tinyConfig is the demo at a size that runs in a second or two.
func tinyConfig(t *testing.T) config {
	cfg := defaultConfig()
	cfg.Model = multimodal.Sizes{Layers: 1, Heads: 2, Dim: 16}
	cfg.HeldOut, cfg.Watch, cfg.Batch, cfg.Steps, cfg.EvalEvery, cfg.Samples = 12, 8, 8, 20, 10, 3
	cfg.Out = filepath.Join(t.TempDir(), "out")
	return cfg
}

// TestRun runs the demo small and checks what it prints against itself:
// every row of the table is right/total with the percentage of that
// fraction, the caption row counts one caption per held-out image, the
// samples say "right" exactly when the model's caption is the truth, and
// the PNGs decode at their sizes.
func TestRun(t *testing.T) {
	cfg := tinyConfig(t)
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	rows := regexp.MustCompile(`(?m)^  +(\S.*?) +(\d+) of +(\d+) +([0-9.]+)%$`).FindAllStringSubmatch(out, -1)
	if len(rows) != 9 {
		t.Fatalf("%d table rows, want 9 (caption, 4 attributes, count, 3 questions):\n%s", len(rows), out)
	}
	for _, r := range rows {
		right, _ := strconv.Atoi(r[2])
		total, _ := strconv.Atoi(r[3])
		if right > total || fmt.Sprintf("%.2f", 100*float64(right)/float64(total)) != r[4] {
			t.Errorf("row %q: %s%% is not %d/%d", r[1], r[4], right, total)
		}
	}
	if rows[0][3] != strconv.Itoa(cfg.HeldOut) {
		t.Errorf("%s captions measured, want one per held-out image (%d)", rows[0][3], cfg.HeldOut)
	}
	samples := regexp.MustCompile(`(?m)^  heldout-\d\.png  model: (.*)  \((right|WRONG, truth: (.*))\)$`).FindAllStringSubmatch(out, -1)
	if len(samples) != cfg.Samples {
		t.Errorf("%d samples, want %d", len(samples), cfg.Samples)
	}
	for _, s := range samples {
		if (s[2] == "right") == (s[3] != "" && s[1] != s[3]) || s[1] == s[3] {
			t.Errorf("sample line %q: the verdict does not follow the captions", s[0])
		}
	}
	for name, side := range map[string]int{"example.png": 8 * multimodal.Side, "heldout-1.png": 4 * multimodal.Side} {
		img, err := pngfile.Read(filepath.Join(cfg.Out, name))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != side || b.Dy() != side {
			t.Errorf("%s is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), side, side)
		}
	}
	img, err := pngfile.Read(filepath.Join(cfg.Out, "attention.png"))
	if err != nil {
		t.Fatal(err)
	}
	// a column per head and the image, a row per word of a caption (8)
	cols := 1 + cfg.Model.Layers*cfg.Model.Heads
	if b := img.Bounds(); b.Dx() < cols*multimodal.Side*3 || b.Dy() < 8*multimodal.Side*3 {
		t.Errorf("attention.png is %dx%d, too small for %d columns and 8 rows of tiles", b.Dx(), b.Dy(), cols)
	}
	if n := len(regexp.MustCompile(`(?m)^  \S+ +layer \d head \d: +\d+% on the image`).FindAllString(out, -1)); n != 8 {
		t.Errorf("%d word lines under the attention, want 8 (a one-object caption)", n)
	}
}

var seconds = regexp.MustCompile(`[0-9.]+s\b`)

// TestDeterministic: the same seed prints the same output on one core and
// on several (only the times may differ).
func TestDeterministic(t *testing.T) {
	var outs [2]string
	for i, procs := range []int{1, max(2, runtime.NumCPU())} {
		cfg := tinyConfig(t)
		cfg.Task.MaxObjects = 2
		prev := runtime.GOMAXPROCS(procs)
		var buf bytes.Buffer
		err := run(context.Background(), &buf, cfg)
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = seconds.ReplaceAllString(buf.String(), "_s")
		outs[i] = regexp.MustCompile(`in \d+s:`).ReplaceAllString(outs[i], "")
		outs[i] = strings.ReplaceAll(outs[i], cfg.Out, "OUT")
	}
	if outs[0] != outs[1] {
		t.Errorf("same seed, different output on 1 core and on several:\n%s\n---\n%s", outs[0], outs[1])
	}
}

// TestBadFlags: a task the generator cannot make is a one-line error.
func TestBadFlags(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Task.MaxObjects = 3
	if err := run(context.Background(), &bytes.Buffer{}, cfg); err == nil || !regexp.MustCompile(`-objects: .*use 1 or 2`).MatchString(err.Error()) {
		t.Errorf("-objects 3: error %v", err)
	}
}
