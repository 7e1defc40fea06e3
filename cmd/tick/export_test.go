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
