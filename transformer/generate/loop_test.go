package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer/sample"
)

// letterStepper is a fake model over the alphabet (id i is the letter 'a'+i):
// after letter x it proposes x+1, x+2, ... with probabilities 1/2, 1/4, ...,
// and its sampler always takes the first. The loop tests need only this
// rule, which they can compute on their own.
type letterStepper struct {
	context  []int
	accepted []int
	step     int
}

func (f *letterStepper) Propose() (Step, error) {
	last := f.context[len(f.context)-1]
	s := Step{Step: f.step + 1, ContextIDs: append([]int(nil), f.context...), EntropyBits: 1.9}
	p := 0.5
	for i := range 10 {
		id := (last + 1 + i) % 26
		s.Candidates = append(s.Candidates, Candidate{Text: string(rune('a' + id)),
			Candidate: sample.Candidate{ID: id, Prob: p, Final: p, Kept: true, Reason: sample.ReasonKept}})
		p /= 2
	}
	c := s.Candidates[0]
	s.Chosen = Choice{Choice: sample.Choice{ID: c.ID, Reason: sample.ReasonGreedy, Prob: c.Final}, Text: c.Text}
	return s, nil
}

func (f *letterStepper) Accept(id int) error {
	f.context = append(f.context, id)
	f.accepted = append(f.accepted, id)
	f.step++
	return nil
}

func letterText(id int) []byte { return []byte{byte('a' + id)} }

func letters(s string) []int {
	var ids []int
	for _, r := range s {
		ids = append(ids, int(r-'a'))
	}
	return ids
}

func TestInteractiveKeys(t *testing.T) {
	tests := []struct {
		name    string
		keys    string
		max     int
		want    string // generated letters
		stopped string
		output  []string // must appear in the output
	}{
		// Prompt "ab": the sampler's choice after b is c; candidate 3 after c is g.
		{"enter takes the sampler's choice", "\n\n", 2, "cd", StoppedMaxTokens, []string{"── step 2", "done: 2 tokens"}},
		{"a digit picks that candidate", "\n3\n\n", 3, "cgh", StoppedMaxTokens, []string{"you picked 3: 6 \"g\""}},
		{"a runs to the end without asking", "a\n", 5, "cdefg", StoppedMaxTokens, []string{"running to the end:\nabcdefg\n"}},
		{"q quits", "\nq\n", 5, "c", StoppedQuit, []string{"quit."}},
		{"end of input quits", "\n", 5, "c", StoppedQuit, nil},
		{"a wrong key asks again", "x\n12\n9\n", 1, "l", StoppedMaxTokens, []string{`"x" is not a key here.`, `"12" is not a key here.`}},
		{"keys are case-insensitive", "A\n", 2, "cd", StoppedMaxTokens, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &letterStepper{context: letters("ab")}
			var out bytes.Buffer
			l := Loop{Stepper: f, TokenText: letterText, Mode: ModeInteractive, MaxTokens: tt.max,
				In: strings.NewReader(tt.keys), Out: &out, Width: 60}
			res, err := l.Run()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.IDs, letters(tt.want)) || !reflect.DeepEqual(f.accepted, letters(tt.want)) {
				t.Errorf("generated %v, model was given %v; want %v", res.IDs, f.accepted, letters(tt.want))
			}
			if string(res.Text) != "ab"+tt.want {
				t.Errorf("text %q, want %q", res.Text, "ab"+tt.want)
			}
			if res.Stopped != tt.stopped {
				t.Errorf("stopped at %q, want %q", res.Stopped, tt.stopped)
			}
			for _, s := range tt.output {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out.String())
				}
			}
		})
	}
}

func TestStreamText(t *testing.T) {
	f := &letterStepper{context: letters("xy")}
	var out bytes.Buffer
	l := Loop{Stepper: f, TokenText: letterText, Mode: ModeText, MaxTokens: 4, Out: &out}
	if _, err := l.Run(); err != nil {
		t.Fatal(err)
	}
	// After y comes z, then the alphabet wraps around.
	if got, want := out.String(), "xyzabc\n"; got != want {
		t.Errorf("streamed %q, want %q", got, want)
	}
}

func TestStopToken(t *testing.T) {
	for _, mode := range []Mode{ModeText, ModeTrace, ModeJSON} {
		f := &letterStepper{context: letters("a")}
		var out bytes.Buffer
		l := Loop{Stepper: f, TokenText: letterText, Mode: mode, MaxTokens: 10, Out: &out,
			Stop: func(id int) bool { return id == int('e'-'a') }}
		res, err := l.Run()
		if err != nil {
			t.Fatal(err)
		}
		if res.Stopped != StoppedEnd || string(res.Text) != "abcd" || len(f.accepted) != 3 {
			t.Errorf("mode %d: stopped %q with text %q after %d tokens; want end-of-text, abcd, 3",
				mode, res.Stopped, res.Text, len(f.accepted))
		}
		if mode == ModeText && out.String() != "abcd\n" {
			t.Errorf("streamed %q: the stop token must not be printed", out.String())
		}
	}
}

func TestJSONSteps(t *testing.T) {
	f := &letterStepper{context: letters("ab")}
	var out bytes.Buffer
	l := Loop{Stepper: f, TokenText: letterText, Mode: ModeJSON, MaxTokens: 3, Out: &out}
	if _, err := l.Run(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d JSON lines, want one per step (3):\n%s", len(lines), out.String())
	}
	for i, line := range lines {
		// Decode into plain maps: programs see field names, not Go types.
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		for _, k := range []string{"step", "context_ids", "candidates", "entropy_bits", "chosen"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %q: %s", i+1, k, line)
			}
		}
		if m["step"] != float64(i+1) {
			t.Errorf("line %d has step %v", i+1, m["step"])
		}
		if n := len(m["context_ids"].([]any)); n != 2+i {
			t.Errorf("step %d has %d context ids, want %d", i+1, n, 2+i)
		}
		c := m["candidates"].([]any)[0].(map[string]any)
		for _, k := range []string{"id", "text", "prob", "final_prob", "kept", "reason"} {
			if _, ok := c[k]; !ok {
				t.Errorf("candidate lacks %q: %v", k, c)
			}
		}
		ch := m["chosen"].(map[string]any)
		want := float64('c' - 'a' + i)
		if ch["id"] != want || ch["text"] != string(rune('a'+int(want))) || ch["reason"] != string(sample.ReasonGreedy) {
			t.Errorf("step %d chose %v, want id %v greedy", i+1, ch, want)
		}
	}
}

func TestTraceIsNonInteractive(t *testing.T) {
	f := &letterStepper{context: letters("ab")}
	var out bytes.Buffer
	// No In: a trace must not read keys.
	l := Loop{Stepper: f, TokenText: letterText, Mode: ModeTrace, MaxTokens: 3, Out: &out}
	if _, err := l.Run(); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if !strings.Contains(out.String(), fmt.Sprintf("── step %d ", i)) {
			t.Errorf("trace lacks step %d", i)
		}
	}
	if !strings.HasSuffix(out.String(), "── done: 3 tokens, stopped at max-tokens ──\nabcde\n") {
		t.Errorf("trace does not end with the summary and text:\n%s", out.String())
	}
	if strings.Contains(out.String(), "Enter") {
		t.Errorf("a non-interactive trace asks for keys:\n%s", out.String())
	}
}

func TestMaxTokensAtLeastOne(t *testing.T) {
	l := Loop{Stepper: &letterStepper{context: letters("a")}, TokenText: letterText, Out: &bytes.Buffer{}}
	if _, err := l.Run(); err == nil {
		t.Error("MaxTokens 0 ran; want an error")
	}
}
