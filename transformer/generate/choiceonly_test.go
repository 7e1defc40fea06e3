package generate

import (
	"testing"

	"github.com/tick-llm/tick/transformer/sample"
)

// TestChoiceOnlySameTokens: with ChoiceOnly (greedy through sample.Greedy,
// sampling with no candidates ranked) the Generator takes the same tokens,
// with the same Chosen, as the full steps, past the window's slides, on
// both families, greedy and sampled with cuts.
func TestChoiceOnlySameTokens(t *testing.T) {
	for _, preset := range []string{"gpt", "llama"} {
		for _, o := range []sample.Options{
			{Temperature: 0, TopP: 1},
			{Temperature: 0.9, TopK: 5, TopP: 0.9},
			{Temperature: 1.3, TopP: 1},
		} {
			m := tinyModel(t, preset, 8)
			full, err := New(m, []int{3, 1}, Options{Sample: o, Seed: 11})
			if err != nil {
				t.Fatal(err)
			}
			quiet, err := New(m, []int{3, 1}, Options{Sample: o, Seed: 11, ChoiceOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			for step := range 30 {
				a, err := full.Propose()
				if err != nil {
					t.Fatal(err)
				}
				b, err := quiet.Propose()
				if err != nil {
					t.Fatal(err)
				}
				if a.Chosen != b.Chosen || a.Window != b.Window {
					t.Fatalf("%s %+v step %d: full step chose %+v (window %d), ChoiceOnly %+v (window %d)", preset, o, step, a.Chosen, a.Window, b.Chosen, b.Window)
				}
				if len(b.Candidates) != 0 {
					t.Fatalf("ChoiceOnly step lists %d candidates", len(b.Candidates))
				}
				if err := full.Accept(a.Chosen.ID); err != nil {
					t.Fatal(err)
				}
				if err := quiet.Accept(b.Chosen.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
