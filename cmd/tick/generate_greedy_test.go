package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// TestGreedyTextMatchesStep trains a small Llama run and checks that greedy
// generation without --step, which takes the argmax of the logits and
// computes no probabilities (generate.Options.ChoiceOnly, sample.Greedy),
// chooses the same tokens as --step, which ranks the softmax: the plain text
// is the prompt and the chosen tokens of the JSON trace, past the window's
// slides, and in-process the two Generators take the same IDs.
func TestGreedyTextMatchesStep(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "llama")
	mustSucceed(t, tick(t, dir, "", "train", "--preset", "llama", "--out", run, "--layers", "2", "--heads", "4", "--kv-heads", "2",
		"--dim", "32", "--context", "16", "--batch", "4", "--steps", "150", "--sample-tokens", "0", "--seed", "5"))

	const prompt, n = "The light", 40
	args := []string{"generate", "--model", run, "--prompt", prompt, "--max-tokens", "40", "--temperature", "0"}
	plain := tick(t, dir, "", args...)
	mustSucceed(t, plain)
	j := tick(t, dir, "", append(args, "--step", "--format", "json")...)
	mustSucceed(t, j)
	steps := parseSteps(t, j)
	var chosen strings.Builder
	for _, s := range steps {
		if s.Chosen.Reason != string(sample.ReasonGreedy) {
			t.Fatalf("step %d chosen because %q at temperature 0", s.Step, s.Chosen.Reason)
		}
		chosen.WriteString(s.Chosen.Text)
	}
	if got, want := strings.TrimSuffix(plain.stdout, "\n"), prompt+chosen.String(); got != want {
		t.Errorf("greedy text %q, but --step chose %q", got, want)
	}

	m, tok, err := loadForGeneration(run)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := tok.Encode(prompt)
	if err != nil {
		t.Fatal(err)
	}
	o := sample.Options{Temperature: 0, TopP: 1}
	probs, err := generate.New(m, ids, generate.Options{Sample: o})
	if err != nil {
		t.Fatal(err)
	}
	argmax, err := generate.New(m, ids, generate.Options{Sample: o, ChoiceOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		a, err := probs.Propose()
		if err != nil {
			t.Fatal(err)
		}
		b, err := argmax.Propose()
		if err != nil {
			t.Fatal(err)
		}
		if a.Chosen.ID != b.Chosen.ID || b.Chosen.Prob != 1 || b.Chosen.Reason != sample.ReasonGreedy {
			t.Fatalf("token %d: the probability path chose %+v, the argmax %+v", i, a.Chosen, b.Chosen)
		}
		if i < len(steps) && steps[i].Chosen.ID != a.Chosen.ID {
			t.Fatalf("token %d: the CLI's trace chose %d, in-process %d", i, steps[i].Chosen.ID, a.Chosen.ID)
		}
		if err := probs.Accept(a.Chosen.ID); err != nil {
			t.Fatal(err)
		}
		if err := argmax.Accept(b.Chosen.ID); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(probs.IDs(), argmax.IDs()) {
		t.Error("the two runs differ")
	}
}
