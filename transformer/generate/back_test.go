package generate

import (
	"bytes"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer/sample"
)

// straight runs a generator with no going back: the reference walk.
func straight(t *testing.T, newGen func() *Generator, n int) []Step {
	t.Helper()
	g := newGen()
	var steps []Step
	for range n {
		s, err := g.Propose()
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, s)
		if err := g.Accept(s.Chosen.ID); err != nil {
			t.Fatal(err)
		}
	}
	return steps
}

// TestBackReproduces walks a real model's cache past its context (so the
// window slides) while going back now and then: after a step is taken
// back, the Generator proposes exactly the Step of a walk that never went
// back (the same probabilities, so the same window, and the same random
// number, so the same token), its logits equal a Forward over the window,
// and the walk goes on as if nothing had happened. It goes back right after
// an Accept (nothing pushed yet), after the next step was proposed (the
// cache must be rebuilt), two steps at once, and over a token the user
// picked instead of the sampler's.
func TestBackReproduces(t *testing.T) {
	for _, preset := range []string{"gpt", "llama"} {
		const context = 5
		m := tinyModel(t, preset, context)
		ref := tinyModel(t, preset, context)
		opts := Options{Sample: sample.Options{Temperature: 1.5, TopP: 1}, Seed: 11, Top: 6}
		newGen := func() *Generator {
			g, err := New(m, []int{1, 2, 3}, opts)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		want := straight(t, newGen, 16)

		g := newGen()
		check := func(at string) Step {
			t.Helper()
			s, err := g.Propose()
			if err != nil {
				t.Fatal(err)
			}
			w := want[s.Step-1]
			if !reflect.DeepEqual(s, w) {
				t.Fatalf("%s %s: step %d is\n%+v\nthe walk that never went back had\n%+v", preset, at, s.Step, s, w)
			}
			window, _ := g.Window()
			logits, _ := g.Logits()
			fwd := forwardLogits(t, ref, window)
			for i := range fwd {
				if math.Abs(logits[i]-fwd[i]) > 1e-9*(1+math.Abs(fwd[i])) {
					t.Fatalf("%s %s: step %d logit %d is %v, a Forward over the window %v", preset, at, s.Step, i, logits[i], fwd[i])
				}
			}
			return s
		}
		accept := func(id int) {
			t.Helper()
			if err := g.Accept(id); err != nil {
				t.Fatal(err)
			}
		}
		back := func() {
			t.Helper()
			if err := g.Back(); err != nil {
				t.Fatal(err)
			}
		}
		slid := false
		for step := 1; step <= 16; step++ {
			s := check("walking")
			slid = slid || s.Window < len(s.ContextIDs)
			switch step % 4 {
			case 1: // back right after Accept, then again
				accept(s.Chosen.ID)
				back()
				check("back right after Accept")
			case 2: // back after the next step was proposed: the cache is rebuilt
				accept(s.Chosen.ID)
				check("next step")
				back()
				check("back after the next Propose")
			case 3: // the user picks another token, looks at the next step, goes back
				accept(s.Candidates[len(s.Candidates)-1].ID)
				if _, err := g.Propose(); err != nil {
					t.Fatal(err)
				}
				back()
				check("back over a pick")
			case 0: // two steps forward, two back
				if step < 16 {
					accept(s.Chosen.ID)
					accept(check("one ahead").Chosen.ID)
					check("two ahead")
					back()
					back()
					check("two back")
				}
			}
			accept(s.Chosen.ID)
		}
		if !slid {
			t.Errorf("%s: the window never slid; the test did not go back over a slide", preset)
		}
		if got, w := g.IDs()[3:], ids(want); !slices.Equal(got, w) {
			t.Errorf("%s: generated %v, the walk that never went back %v", preset, got, w)
		}
	}
}

// TestBackToThePrompt: going back stops at the prompt, with an error.
func TestBackToThePrompt(t *testing.T) {
	g, err := NewWithCache(&windowCache{limit: 8}, 8, []int{1, 2}, Options{Sample: sample.Default, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Back(); err == nil || !strings.Contains(err.Error(), "nothing to go back to") {
		t.Errorf("Back at the prompt: %v, want an error saying there is nothing to go back to", err)
	}
	s, _ := g.Propose()
	if err := g.Accept(s.Chosen.ID); err != nil {
		t.Fatal(err)
	}
	if err := g.Back(); err != nil {
		t.Fatal(err)
	}
	if err := g.Back(); err == nil {
		t.Error("Back went back past the prompt")
	}
	if got := g.IDs(); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("after going back to the prompt the context is %v, want [1 2]", got)
	}
}

// TestSetSamplingRedraws changes the options at step 4 and checks the step
// against an independent walk: a Generator with the new options from the
// start, given the same tokens. Each sampled step draws exactly one number,
// so both sources are then in the same state, and the redrawn step must be
// that walk's step 4: the same random number under the new options. Going
// back to the old options gives the original step again, also after a
// greedy detour (which draws nothing).
func TestSetSamplingRedraws(t *testing.T) {
	m := tinyModel(t, "gpt", 8)
	old := sample.Options{Temperature: 1, TopP: 1}
	changed := sample.Options{Temperature: 2.5, TopK: 6, TopP: 0.95}
	gen := func(o sample.Options) *Generator {
		g, err := New(m, []int{4, 5}, Options{Sample: o, Seed: 9, Top: 13})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g, indep := gen(old), gen(changed)
	for range 3 {
		s, _ := g.Propose()
		indep.Propose() // its own draw, under its options
		if err := g.Accept(s.Chosen.ID); err != nil {
			t.Fatal(err)
		}
		if err := indep.Accept(s.Chosen.ID); err != nil {
			t.Fatal(err)
		}
	}
	orig, _ := g.Propose()
	if err := g.SetSampling(changed); err != nil {
		t.Fatal(err)
	}
	if g.Sampling() != changed {
		t.Errorf("Sampling() = %+v after SetSampling(%+v)", g.Sampling(), changed)
	}
	got, _ := g.Propose()
	want, _ := indep.Propose()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("step 4 redrawn with new options:\n%+v\na walk with them from the start:\n%+v", got, want)
	}
	if err := g.SetSampling(sample.Options{Temperature: 0, TopP: 1}); err != nil {
		t.Fatal(err)
	}
	if s, _ := g.Propose(); s.Chosen.Reason != sample.ReasonGreedy || s.Chosen.ID != s.Candidates[0].ID {
		t.Errorf("greedy redraw chose %+v, want the most probable (%d)", s.Chosen, s.Candidates[0].ID)
	}
	if err := g.SetSampling(old); err != nil {
		t.Fatal(err)
	}
	if again, _ := g.Propose(); !reflect.DeepEqual(again, orig) {
		t.Errorf("back to the old options, step 4 is\n%+v\nwas\n%+v", again, orig)
	}
	if err := g.SetSampling(sample.Options{Temperature: 1, TopP: 0}); err == nil {
		t.Error("SetSampling took top-p 0")
	}
}

// TestInteractiveBackWithModel drives a real Generator with raw keys: two
// steps, back, Enter, q. The text q prints must be the prompt and the first
// two tokens of a walk that never went back.
func TestInteractiveBackWithModel(t *testing.T) {
	m := tinyModel(t, "llama", 8)
	spellLetter := func(id int) []byte { return []byte{byte('a' + id)} }
	newGen := func() *Generator {
		g, err := New(m, []int{1, 2}, Options{Sample: sample.Options{Temperature: 1, TopP: 1}, Seed: 5, TokenText: spellLetter})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	want := straight(t, newGen, 2)
	var out bytes.Buffer
	l := Loop{Stepper: newGen(), TokenText: spellLetter, Mode: ModeInteractive, MaxTokens: 10,
		Keys: RawKeys(strings.NewReader("\r\rb\rq")), Out: &out}
	res, err := l.Run()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.IDs, ids(want)) || res.Stopped != StoppedQuit {
		t.Errorf("generated %v (%s), want %v then quit", res.IDs, res.Stopped, ids(want))
	}
	text := "bc" + string(spellLetter(want[0].Chosen.ID)) + string(spellLetter(want[1].Chosen.ID))
	if !strings.HasSuffix(out.String(), "── quit: 2 tokens ──\n"+text+"\n") {
		t.Errorf("q did not print the text so far, %q:\n%s", text, out.String())
	}
}
