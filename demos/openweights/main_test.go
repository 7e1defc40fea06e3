package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tick-llm/tick/hf"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// TestRoundTrip: the printed largest difference between the distributions
// before and after the round trip is a number, and a small one.
func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := roundTrip(&buf, config{Prompt: "Of light", Seed: 3}); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`largest difference in any probability: (\S+)`).FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no difference printed:\n%s", buf.String())
	}
	if d, err := strconv.ParseFloat(m[1], 64); err != nil || d > 1e-6 {
		t.Errorf("difference %q after the round trip", m[1])
	}
}

// TestStep: given a Hugging Face folder, the demo steps through generation.
func TestStep(t *testing.T) {
	c, _ := transformer.Preset("gpt")
	c.Layers, c.Dim, c.FFDim = 1, 32, 64
	m, err := transformer.New(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := hf.ExportFolder(m, tokenizer.Byte{}, dir, "BF16"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := step(&buf, config{Model: dir, Prompt: "The", Steps: 3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "step "); n < 3 {
		t.Errorf("%d steps shown, want 3:\n%s", n, buf.String())
	}
}
