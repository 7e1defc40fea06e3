package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
)

// tick align refuses a bad β, KL coefficient or step count in one line,
// before any training, and asks for a stage when given none.
func TestAlignBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ args []string }{
		{[]string{"align", "all", "--out", "a", "--beta", "0"}},
		{[]string{"align", "all", "--out", "a", "--beta", "-0.5"}},
		{[]string{"align", "all", "--out", "a", "--kl", "-1"}},
		{[]string{"align", "all", "--out", "a", "--sft-steps", "0"}},
		{[]string{"align", "extra"}},
		{[]string{"align", "--seed", "2"}},
		{[]string{"align"}},
	} {
		r := tick(t, dir, "", c.args...)
		want := c.args[len(c.args)-1]
		if len(c.args) < 3 {
			want = "stage"
		}
		checkBadInput(t, r, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a refused tick align left %s behind", entries[0].Name())
	}
}

var alignOnce struct {
	sync.Once
	dir   string
	fails string
}

// alignFixture is two byte-level bases of different widths, an SFT run of
// each, a pairs file written by hand and a reward model trained from the
// first SFT run: what the stages' bad-input checks need, in seconds.
func alignFixture(t *testing.T) (dir string) {
	t.Helper()
	alignOnce.Do(func() {
		dir := filepath.Join(workDir, "align-fixture")
		os.MkdirAll(dir, 0o755)
		data, _ := opticks(t, dir, "opticks.txt", 20000)
		pairs := `{"prompt":"add 2 3","chosen":"5","rejected":"sure, 5"}` + "\n" + `{"prompt":"caps owl","chosen":"OWL","rejected":"owl"}` + "\n"
		os.WriteFile(filepath.Join(dir, "pairs.jsonl"), []byte(pairs), 0o644)
		for _, args := range [][]string{
			{"train", "--data", data, "--tokenizer", "byte", "--context", "32", "--layers", "1", "--heads", "1", "--dim", "16", "--batch", "2", "--steps", "2", "--sample-tokens", "0", "--out", "base16"},
			{"train", "--data", data, "--tokenizer", "byte", "--context", "32", "--layers", "1", "--heads", "1", "--dim", "24", "--batch", "2", "--steps", "2", "--sample-tokens", "0", "--out", "base24"},
			{"align", "sft", "--model", "base16", "--out", "sft16", "--steps", "2", "--batch", "2"},
			{"align", "sft", "--model", "base24", "--out", "sft24", "--steps", "2", "--batch", "2"},
			{"align", "reward", "--model", "sft16", "--pairs", "pairs.jsonl", "--out", "rm16", "--steps", "2", "--batch", "2"},
		} {
			if r := tick(t, dir, "", args...); r.code != 0 {
				alignOnce.fails = r.String()
				return
			}
		}
		alignOnce.dir = dir
	})
	if alignOnce.dir == "" {
		t.Fatalf("the align fixture failed:\n%s", alignOnce.fails)
	}
	return alignOnce.dir
}

// The stages on run folders: every model loads with tick generate, the
// tokenizer has the role tokens, and eval prints the table.
func TestAlignStagesEndToEnd(t *testing.T) {
	dir := alignFixture(t)
	for _, args := range [][]string{
		{"align", "dpo", "--model", "sft16", "--pairs", "pairs.jsonl", "--beta", "0.5", "--out", "dpo16", "--steps", "2", "--batch", "2"},
		{"align", "rlhf", "--model", "sft16", "--reward", "rm16", "--out", "rl16", "--steps", "2", "--batch", "2"},
	} {
		mustSucceed(t, tick(t, dir, "", args...))
	}
	r := tick(t, dir, "", "align", "eval", "--sft", "sft16", "base=base16", "RLHF=rl16", "dpo16")
	mustSucceed(t, r)
	for _, row := range []string{"SFT ", "base ", "RLHF ", "dpo16 ", "win/SFT"} {
		if !strings.Contains(r.stdout, row) {
			t.Errorf("the table lacks %q:\n%s", row, r.stdout)
		}
	}
	for _, run := range []string{"sft16", "rm16", "dpo16", "rl16"} {
		g := tick(t, dir, "", "generate", "--model", run, "--prompt", "add 2 3", "--max-tokens", "3")
		mustSucceed(t, g)
		m, tok, err := checkpoint.LoadModel(filepath.Join(dir, run))
		if err != nil || m.Config.VocabSize != 259 || string(tok.TokenBytes(258)) != "<|end|>" {
			t.Errorf("%s: vocabulary %v, token 258 %q, %v", run, m, tok.TokenBytes(258), err)
		}
		for _, f := range []string{"metrics.jsonl", "loss.png"} {
			if _, err := os.Stat(filepath.Join(dir, run, f)); err != nil {
				t.Errorf("%s has no %s", run, f)
			}
		}
	}
}

// Ctrl-C stops an SFT run with a checkpoint and says how to resume; the
// resumed run's metrics equal an uninterrupted run's.
func TestAlignCtrlCResume(t *testing.T) {
	dir := alignFixture(t)
	work := t.TempDir()
	base := filepath.Join(dir, "base16")
	args := func(out string) []string {
		return []string{"align", "sft", "--model", base, "--out", out, "--steps", "400", "--batch", "2", "--every", "1000"}
	}
	mustSucceed(t, tick(t, work, "", args("whole")...))
	p := startTick(t, work, args("cut")...)
	p.waitFor(t, "some steps", func() bool { return metricsLines(filepath.Join(work, "cut")) >= 5 })
	r := p.interrupt(t)
	if r.code == 0 || !strings.Contains(r.stderr, "--resume") {
		t.Fatalf("Ctrl-C: want a non-zero exit and how to resume:\n%s", r)
	}
	mustSucceed(t, tick(t, work, "", append(args("cut"), "--resume")...))
	a, _ := os.ReadFile(filepath.Join(work, "whole", "metrics.jsonl"))
	b, _ := os.ReadFile(filepath.Join(work, "cut", "metrics.jsonl"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("resumed metrics differ from uninterrupted ones")
	}
	wa, _ := os.ReadFile(filepath.Join(work, "whole", "last", "model.safetensors"))
	wb, _ := os.ReadFile(filepath.Join(work, "cut", "last", "model.safetensors"))
	if len(wa) == 0 || !bytes.Equal(wa, wb) {
		t.Errorf("resumed weights differ from uninterrupted ones")
	}
}
