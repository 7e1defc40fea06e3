package main

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportThenGenerate: a byte-level run exported as a Hugging Face
// folder generates from the same distributions (float32 rounding apart)
// through --model DIR, step by step; a char run, an occupied --out and a
// bad --dtype are refused in one line, writing nothing.
func TestExportThenGenerate(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	run := filepath.Join(dir, "run")
	mustSucceed(t, tick(t, dir, "", append([]string{"train", "--data", data, "--out", run, "--tokenizer", "byte"}, tinyArgs...)...))
	out := filepath.Join(dir, "hf")
	mustSucceed(t, tick(t, dir, "", "export", "--model", run, "--out", out))
	for _, f := range []string{"config.json", "model.safetensors", "generation_config.json", "tokenizer.json", "tokenizer_config.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the export has no %s", f)
		}
	}
	steps := func(model string) []map[string]any {
		r := tick(t, dir, "", "generate", "--model", model, "--prompt", "Of light", "--max-tokens", "3", "--step", "--format", "json", "--seed", "5")
		mustSucceed(t, r)
		var docs []map[string]any
		sc := bufio.NewScanner(strings.NewReader(r.stdout))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var d map[string]any
			if err := json.Unmarshal(sc.Bytes(), &d); err == nil {
				docs = append(docs, d)
			}
		}
		if len(docs) == 0 {
			t.Fatalf("no steps in:\n%s", r)
		}
		return docs
	}
	a, b := steps(run), steps(out)
	if len(a) != len(b) {
		t.Fatalf("%d steps from the run, %d from its export", len(a), len(b))
	}
	for i := range a {
		ca, cb := a[i]["candidates"].([]any), b[i]["candidates"].([]any)
		for j := range min(len(ca), len(cb), 5) {
			pa, pb := ca[j].(map[string]any)["prob"].(float64), cb[j].(map[string]any)["prob"].(float64)
			if math.Abs(pa-pb) > 1e-5 {
				t.Errorf("step %d candidate %d: probability %v from the run, %v from its export", i+1, j, pa, pb)
			}
		}
	}
	charRun, _, _, _ := tinyTrained(t)
	for _, c := range []struct {
		args  []string
		names []string
	}{
		{[]string{"export", "--model", charRun, "--out", filepath.Join(dir, "x1")}, []string{"char tokenizer", "--tokenizer byte"}},
		{[]string{"export", "--model", run, "--out", out}, []string{"not empty"}},
		{[]string{"export", "--model", run, "--out", filepath.Join(dir, "x2"), "--dtype", "f8"}, []string{"--dtype f8"}},
	} {
		checkBadInput(t, tick(t, dir, "", c.args...), c.names...)
	}
	for _, d := range []string{"x1", "x2"} {
		if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
			t.Errorf("a refused export wrote %s", d)
		}
	}
}

// TestExportMerge: a LoRA fine-tune exported with --merge generates from
// the same distributions as the adapter folder itself; without --merge an
// adapter is refused, and --merge on a plain run too.
func TestExportMerge(t *testing.T) {
	dir := t.TempDir()
	data, _ := opticks(t, dir, "opticks.txt", 20000)
	run := filepath.Join(dir, "run")
	mustSucceed(t, tick(t, dir, "", append([]string{"train", "--data", data, "--out", run, "--tokenizer", "byte"}, tinyArgs...)...))
	ft := filepath.Join(dir, "ft")
	mustSucceed(t, tick(t, dir, "", "finetune", "--model", run, "--data", data, "--out", ft, "--lora-rank", "2",
		"--lora-targets", "c_attn", "--steps", "5", "--eval-every", "5", "--eval-batches", "1", "--sample-tokens", "0", "--lr", "0.05"))
	adapter := filepath.Join(ft, "last")
	probs := func(model string) string {
		r := tick(t, dir, "", "generate", "--model", model, "--prompt", "Of light", "--max-tokens", "1", "--step", "--format", "json", "--candidates", "3")
		mustSucceed(t, r)
		return r.stdout
	}
	checkBadInput(t, tick(t, dir, "", "export", "--model", adapter, "--out", filepath.Join(dir, "x")), "LoRA adapter", "--merge")
	checkBadInput(t, tick(t, dir, "", "export", "--model", run, "--merge", "--out", filepath.Join(dir, "x")), "not a LoRA adapter")
	checkBadInput(t, tick(t, dir, "", "export", "--model", ft, "--out", filepath.Join(dir, "x")), "LoRA adapter", "--merge")
	out := filepath.Join(dir, "merged")
	mustSucceed(t, tick(t, dir, "", "export", "--model", adapter, "--merge", "--out", out))
	// The run folder of the fine-tune generates as its best/ adapter does
	// (with the adapter, not from the base alone; the adapter folder's
	// weights are PEFT's float32, the run's checkpoint keeps float64).
	if p, q := firstProb(t, probs(ft)), firstProb(t, probs(filepath.Join(ft, "best"))); math.Abs(p-q) > 1e-6 || p == firstProb(t, probs(run)) {
		t.Errorf("the fine-tune's run folder gives %v, its best/ adapter %v", p, q)
	}
	var a, b struct {
		Candidates []struct {
			ID   int     `json:"id"`
			Prob float64 `json:"prob"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(probs(adapter), "\n", 2)[0]), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(strings.SplitN(probs(out), "\n", 2)[0]), &b); err != nil {
		t.Fatal(err)
	}
	base := probs(run)
	if len(a.Candidates) == 0 || len(a.Candidates) != len(b.Candidates) {
		t.Fatalf("candidates: %v vs %v", a, b)
	}
	for i := range a.Candidates {
		if a.Candidates[i].ID != b.Candidates[i].ID || math.Abs(a.Candidates[i].Prob-b.Candidates[i].Prob) > 1e-5 {
			t.Errorf("candidate %d: adapter %+v, merged export %+v", i, a.Candidates[i], b.Candidates[i])
		}
	}
	if strings.SplitN(base, "\n", 2)[0] == strings.SplitN(probs(adapter), "\n", 2)[0] {
		t.Errorf("the fine-tune changed nothing: the test compares nothing")
	}
}

// firstProb is the probability of the first candidate of the first step of
// generate --step --format json.
func firstProb(t *testing.T, out string) float64 {
	t.Helper()
	var s struct {
		Candidates []struct {
			Prob float64 `json:"prob"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &s); err != nil || len(s.Candidates) == 0 {
		t.Fatalf("no step in %q: %v", out, err)
	}
	return s.Candidates[0].Prob
}
