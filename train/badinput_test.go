package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/eval"
)

// TestBadInput: every mistake a user can make is a one-line error naming
// the problem, found before training starts, and leaves an existing run as
// it was.
func TestBadInput(t *testing.T) {
	// A finished run to resume, whose files must survive every case.
	base := tinyOptions(t)
	base.Steps, base.SampleTokens = 2, 0
	if _, err := Run(context.Background(), base, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	stateBefore, err := os.ReadFile(filepath.Join(base.Out, "last", checkpoint.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty.txt", "")
	short := write("short.txt", strings.Repeat("abc ", 10))
	aFile := write("a-file", "x")
	damaged := filepath.Join(dir, "damaged")
	if err := os.CopyFS(damaged, os.DirFS(base.Out)); err != nil {
		t.Fatal(err)
	}
	// Both checkpoints damaged: with only last/ damaged, a resume goes
	// on from best/ (checkpoint.ResumeFrom).
	for _, ck := range []string{"last", "best"} {
		model := filepath.Join(damaged, ck, "model.safetensors")
		b, _ := os.ReadFile(model)
		b[len(b)-3] ^= 0x40
		os.WriteFile(model, b, 0o644)
	}

	cases := []struct {
		name string
		edit func(o *Options)
		want string
	}{
		{"missing data", func(o *Options) { o.Data = filepath.Join(dir, "nope.txt") }, "nope.txt does not exist"},
		{"empty data", func(o *Options) { o.Data = empty }, "is empty"},
		{"shorter than a window", func(o *Options) { o.Data = short; o.Context = 64 }, "too short"},
		{"negative lr", func(o *Options) { o.LR = -1 }, "--lr -1 is out of range"},
		{"min-lr above lr", func(o *Options) { o.MinLR = 1 }, "--min-lr 1"},
		{"zero batch", func(o *Options) { o.Batch = 0 }, "--batch 0"},
		{"dropout 1", func(o *Options) { o.Dropout = 1 }, "--dropout 1"},
		{"unknown preset", func(o *Options) { o.Preset = "bert" }, `unknown preset "bert": use gpt or llama`},
		{"heads do not divide width", func(o *Options) { o.Heads = 3 }, "model:"},
		{"unknown tokenizer", func(o *Options) { o.Tokenizer = "cl99k" }, `tokenizer "cl99k"`},
		{"prompt outside the alphabet", func(o *Options) { o.Prompt = "Newton’s €" }, `'€' (U+20AC)`},
		{"unwritable folder", func(o *Options) { o.Out = filepath.Join(aFile, "run") }, "output folder"},
		{"folder holds a run", func(o *Options) { o.Out = base.Out }, "already holds a run"},
		{"nothing to resume", func(o *Options) { o.Resume = true }, "nothing to resume"},
		{"resume with another config", func(o *Options) { o.Out, o.Resume, o.Layers, o.LR = base.Out, true, 2, 0.5 }, "--layers 2 (run has 1)"},
		{"resume on other data", func(o *Options) { o.Out, o.Resume, o.Data = base.Out, true, short }, "not the text the run trained on"},
		{"damaged checkpoint", func(o *Options) { o.Out, o.Resume = damaged, true }, "damaged: model.safetensors does not match its checksum"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			o.Out = filepath.Join(t.TempDir(), "run")
			tc.edit(&o)
			var out bytes.Buffer
			_, err := Run(context.Background(), o, &out)
			if err == nil {
				t.Fatalf("no error; output:\n%s", out.String())
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			if n := strings.Count(msg, "use "); n > 1 {
				t.Errorf("error gives advice %d times; say it once: %q", n, msg)
			}
			if strings.Contains(out.String(), "step 1") {
				t.Errorf("training started before the error:\n%s", out.String())
			}
		})
	}
	after, err := os.ReadFile(filepath.Join(base.Out, "last", checkpoint.StateFile))
	if err != nil || !bytes.Equal(after, stateBefore) {
		t.Errorf("the existing run's checkpoint changed (%v)", err)
	}
	if _, _, err := checkpoint.LoadModel(filepath.Join(damaged, "last")); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("LoadModel of a damaged run: %v", err)
	}
	if _, err := eval.Evaluate(eval.Options{Model: base.Out, Batch: -5}); err == nil || !strings.Contains(err.Error(), "--batch -5") {
		t.Errorf("Evaluate with a negative batch: %v", err)
	}
	if _, err := eval.Evaluate(eval.Options{Model: dir}); err == nil || !strings.Contains(err.Error(), "holds no checkpoint") {
		t.Errorf("Evaluate of a folder without a run: %v", err)
	}
	if _, err := eval.Evaluate(eval.Options{Model: base.Out, Data: write("euro.txt", strings.Repeat("€uro ", 100))}); err == nil || !strings.Contains(err.Error(), "U+20AC") {
		t.Errorf("Evaluate of text outside the alphabet: %v", err)
	}
}
