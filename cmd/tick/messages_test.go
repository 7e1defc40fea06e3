package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
)

// TestMessages: inputs that used to get a wrong number, a misleading
// message or no error at all (the hostile test of issue 15, part C) each
// get one line that names the problem and what to do, and a non-zero exit.
func TestMessages(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, content []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run, data, _, _ := tinyTrained(t)
	corpus, _ := opticks(t, dir, "corpus.txt", 4000)
	notUTF8 := write("not-utf8.txt", []byte("Of light\xff and colours\n"))
	random := make([]byte, 3000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	randomFile := write("random.bin", random)
	ranks := write("v/ranks.tiktoken", []byte("IQ== 0\nIg== 1\n"))
	write("v/ranks.json", []byte(`{"special_tokens":{}}`))

	// A run whose saved options say -5 steps.
	badSteps := filepath.Join(dir, "bad-steps")
	if err := os.CopyFS(badSteps, os.DirFS(run)); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(badSteps, "last", checkpoint.StateFile)
	b, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	b2 := regexp.MustCompile(`"steps": *[0-9]+`).ReplaceAll(b, []byte(`"steps": -5`))
	if string(b2) == string(b) {
		t.Fatalf("%s has no steps option to damage", state)
	}
	if err := os.WriteFile(state, b2, 0o644); err != nil {
		t.Fatal(err)
	}

	// A checkpoint whose arithmetic overflows: finite weights, NaN loss.
	ck, err := checkpoint.Load(filepath.Join(run, checkpoint.Last))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ck.Model.Params() {
		if strings.Contains(p.Name, "mlp.c_fc.weight") {
			p.Value.RawMatrix().Data[0] = 1e308
		}
	}
	huge := filepath.Join(dir, "huge")
	if err := checkpoint.Save(huge, ck); err != nil {
		t.Fatal(err)
	}

	af := alignFixture(t)
	noRejected := write("pairs/no-rejected.jsonl", []byte(`{"prompt":"add 2 3","chosen":"5","rejected":"6"}`+"\n"+`{"prompt":"add 1 1","chosen":"2"}`+"\n"))
	emptyChosen := write("pairs/empty-chosen.jsonl", []byte(`{"prompt":"add 2 3","chosen":"","rejected":"6"}`+"\n"))
	alignOut := filepath.Join(dir, "align-never-made")
	cases := []struct {
		name  string
		args  []string
		names []string
	}{
		{"align sft from a folder that is no tick run", []string{"align", "sft", "--model", dir, "--out", alignOut}, []string{dir, "no checkpoint"}},
		{"align sft from a char-level run of context 8", []string{"align", "sft", "--model", run, "--out", alignOut}, []string{"context 8", "--context 32"}},
		{"align reward: a pairs line without rejected", []string{"align", "reward", "--model", filepath.Join(af, "sft16"), "--pairs", noRejected, "--out", alignOut}, []string{"line 2", `"rejected"`}},
		{"align dpo: a pairs line with an empty chosen", []string{"align", "dpo", "--model", filepath.Join(af, "sft16"), "--pairs", emptyChosen, "--out", alignOut}, []string{"line 1", `empty "chosen"`}},
		{"align dpo --beta 0", []string{"align", "dpo", "--model", filepath.Join(af, "sft16"), "--pairs", filepath.Join(af, "pairs.jsonl"), "--beta", "0", "--out", alignOut}, []string{"--beta 0", "positive"}},
		{"align dpo --beta -1", []string{"align", "dpo", "--model", filepath.Join(af, "sft16"), "--pairs", filepath.Join(af, "pairs.jsonl"), "--beta", "-1", "--out", alignOut}, []string{"--beta -1", "positive"}},
		{"align rlhf: a reward model of another base shape", []string{"align", "rlhf", "--model", filepath.Join(af, "sft24"), "--reward", filepath.Join(af, "rm16"), "--out", alignOut}, []string{"rm16", "another shape", "width 16", "width 24"}},
		{"align rlhf: an SFT run as the reward model", []string{"align", "rlhf", "--model", filepath.Join(af, "sft16"), "--reward", filepath.Join(af, "sft24"), "--out", alignOut}, []string{"sft24", "not a reward model"}},
		{"align pairs over an existing file", []string{"align", "pairs", "--model", filepath.Join(af, "sft16"), "--out", filepath.Join(af, "pairs.jsonl")}, []string{"pairs.jsonl", "exists", "does not overwrite"}},
		{"align sft --resume of another stage's run", []string{"align", "sft", "--model", filepath.Join(af, "base16"), "--out", filepath.Join(af, "rm16"), "--resume"}, []string{"rm16", "not a run of tick align sft"}},
		{"align rlhf: a char-level run as the reward model", []string{"align", "rlhf", "--model", filepath.Join(af, "sft16"), "--reward", run, "--out", alignOut}, []string{"not a reward model"}},
		{"eval --val-frac NaN", []string{"eval", "--model", run, "--val-frac", "NaN"}, []string{"--val-frac NaN", "between 0 and 1"}},
		{"eval --val-frac 1", []string{"eval", "--model", run, "--val-frac", "1"}, []string{"--val-frac 1", "between 0 and 1"}},
		{"eval --whole with --val-frac", []string{"eval", "--model", run, "--whole", "--val-frac", "0.5"}, []string{"--whole", "--val-frac 0.5"}},
		{"eval text that is not UTF-8", []string{"eval", "--model", run, "--data", randomFile, "--whole"}, []string{"not valid UTF-8", "offset"}},
		{"eval a model whose loss is NaN", []string{"eval", "--model", huge, "--data", data}, []string{"NaN", "mlp.c_fc.weight"}},
		{"generate a model whose logits are NaN", []string{"generate", "--model", huge, "--prompt", "The"}, []string{"sample:", "NaN"}},
		{"train --steps beyond a billion", []string{"train", "--steps", "9223372036854775807", "--out", filepath.Join(dir, "r1")}, []string{"--steps 9223372036854775807", "1000000000"}},
		{"train --resume with damaged saved steps", []string{"train", "--out", badSteps, "--resume"}, []string{"saved option steps", "-5", "state.json"}},
		{"bench --go-src NaN", []string{"bench", "tokenizer", "--go-src", "NaN"}, []string{"--go-src NaN"}},
		{"bench --go-src -5", []string{"bench", "tokenizer", "--go-src", "-5"}, []string{"--go-src -5"}},
		{"bench --go-src Inf", []string{"bench", "tokenizer", "--go-src", "Inf"}, []string{"--go-src +Inf"}},
		{"bench on text that is not UTF-8", []string{"bench", "tokenizer", "--file", notUTF8, "--repeat", "1"}, []string{"not valid UTF-8", "U+FFFD"}},
		{"tokenize --compare on text that is not UTF-8", []string{"tokenize", "--compare", "--file", notUTF8}, []string{"not valid UTF-8", "U+FFFD", "offset 8"}},
		{"bpe train with an extra argument", []string{"bpe", "train", "--file", corpus, "--vocab", "260", "--out", filepath.Join(dir, "x.tiktoken"), "extra"}, []string{`"extra"`}},
		{"bpe explain --token with text", []string{"bpe", "explain", "--token", "5", "hello"}, []string{`"hello"`, "--token"}},
		{"sidecar without a pattern", []string{"tokenize", "--encoding", ranks, "hi"}, []string{"ranks.json", `"pattern"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tick(t, dir, "", c.args...)
			checkBadInput(t, r, c.names...)
			if strings.Count(r.stderr, "step 1:") > 1 || strings.Contains(r.stderr, "generate: generate:") || strings.HasPrefix(r.stderr, "tick generate: generate:") {
				t.Errorf("the message repeats its prefix:\n%s", r.stderr)
			}
		})
	}
	if _, err := os.Stat(alignOut); err == nil {
		t.Errorf("a refused tick align stage made its run folder %s", alignOut)
	}
	// A mistyped --data is found before the run folder is made.
	nd := filepath.Join(dir, "never-made")
	checkBadInput(t, tick(t, dir, "", "train", "--data", filepath.Join(dir, "missing.txt"), "--out", nd), "missing.txt", "does not exist")
	if _, err := os.Stat(nd); err == nil {
		t.Errorf("train with a missing --data made the run folder %s", nd)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.tiktoken")); err == nil {
		t.Errorf("a refused bpe train wrote its output")
	}
}

// TestCtrlCInFinalValidation: Ctrl-C during the last pass over the
// validation split (after every step is trained and saved) stops at once,
// says the run is complete and how to get its figures, and leaves a
// loadable last checkpoint at the final step.
func TestCtrlCInFinalValidation(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 1<<30) // the whole book: a long final pass
	out := filepath.Join(dir, "run")
	args := []string{"train", "--data", data, "--out", out, "--layers", "1", "--heads", "1", "--dim", "16",
		"--context", "8", "--batch", "1", "--steps", "2", "--eval-every", "2", "--eval-batches", "1",
		"--sample-tokens", "0", "--val-frac", "0.9"}
	proc := startTick(t, dir, args...)
	// The final pass has begun once last/ holds step 2.
	proc.waitFor(t, "the final pass", func() bool {
		_, st, err := checkpoint.ReadState(filepath.Join(out, checkpoint.Last))
		return err == nil && st.Step == 2
	})
	r := proc.interrupt(t)
	if strings.Contains(r.stdout, "final: step=") {
		t.Fatalf("the run finished its final pass despite Ctrl-C:\n%s", r)
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(r.stderr, "\r", "\n")), "\n")
	last := lines[len(lines)-1]
	for _, want := range []string{"final pass", "complete", "tick eval --model " + out} {
		if !strings.Contains(last, want) {
			t.Errorf("the last line after Ctrl-C does not say %q:\n%s", want, r)
		}
	}
	if r.code == 0 {
		t.Errorf("an interrupted final pass exited 0:\n%s", r)
	}
	ck, err := checkpoint.Load(filepath.Join(out, checkpoint.Last))
	if err != nil || ck.State.Step != 2 {
		t.Errorf("last/ after Ctrl-C: step %v, %v", ck, err)
	}
}
