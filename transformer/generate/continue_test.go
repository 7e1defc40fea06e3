package generate

import (
	"slices"
	"testing"

	"github.com/tick-llm/tick/transformer/sample"
)

// Continue is the loop a user drives, without the user: the same tokens as
// Propose/Accept with the default candidate list, past a window slide.
func TestContinueEqualsTheLoop(t *testing.T) {
	m := tinyModel(t, "llama", 8)
	o := sample.Options{Temperature: 0.9, TopK: 5, TopP: 0.95}
	prompt := []int{1, 2, 3}
	got, err := Continue(m, prompt, 20, o, 11)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(m, prompt, Options{Sample: o, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for range 20 {
		st, err := g.Propose()
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Accept(st.Chosen.ID); err != nil {
			t.Fatal(err)
		}
		want = append(want, st.Chosen.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Continue %v, the loop %v", got, want)
	}
}
