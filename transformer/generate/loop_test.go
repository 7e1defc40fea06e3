package generate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

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
		{"q quits with the text so far", "\nq\n", 5, "c", StoppedQuit, []string{"── quit: 1 token ──\nabc\n"}},
		{"end of input quits", "\n", 5, "c", StoppedQuit, nil},
		{"a wrong key asks again", "x\n12\n9\n", 1, "l", StoppedMaxTokens, []string{`"x" is not a key here.`, `"12" is not a key here.`}},
		{"keys are case-insensitive", "A\n", 2, "cd", StoppedMaxTokens, nil},
		// letterStepper has no Back and no SetSampling: their keys are not offered.
		{"no back without Back", "b\n\n", 1, "c", StoppedMaxTokens, []string{`"b" is not a key here.`}},
		{"no tuning without SetSampling", "+\n]\n\n", 1, "c", StoppedMaxTokens, []string{`"+" is not a key here.`, `"]" is not a key here.`}},
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

// tunableLetters is letterStepper with Back and SetSampling. Its proposals
// follow the same rule whatever the options (the rule is all the tests
// compute), but it records every SetSampling.
type tunableLetters struct {
	letterStepper
	opts sample.Options
	set  []sample.Options
}

func (f *tunableLetters) Back() error {
	if len(f.accepted) == 0 {
		return fmt.Errorf("nothing to take back")
	}
	f.context = f.context[:len(f.context)-1]
	f.accepted = f.accepted[:len(f.accepted)-1]
	f.step--
	return nil
}

func (f *tunableLetters) Sampling() sample.Options { return f.opts }

func (f *tunableLetters) SetSampling(o sample.Options) error {
	f.opts = o
	f.set = append(f.set, o)
	return nil
}

// TestInteractiveBackAndTune scripts the back and tuning keys, each walk
// twice: as lines (LineKeys, what a pipe gives) and as raw key presses
// (RawKeys, what a terminal in raw mode gives: no Enter after a key, Enter
// itself a \r). Prompt "ab": the sampler's choice after letter x is x+1,
// candidate i is x+1+i.
func TestInteractiveBackAndTune(t *testing.T) {
	tests := []struct {
		name   string
		opts   sample.Options // the options before the first key
		keys   []string       // "" is Enter
		max    int
		want   string           // generated letters
		set    []sample.Options // the SetSampling calls, in order
		output []string         // must appear in the output, in this order
	}{
		{"b takes the last token back", sample.Default, []string{"", "b", "3", ""}, 2, "fg", nil,
			[]string{"── step 2", `back to step 1: 2 "c" taken back`, "── step 1", `you picked 3: 5 "f"`, "── step 2", "done: 2 tokens"}},
		{"b twice goes back two steps", sample.Default, []string{"", "", "b", "b", "5", "", ""}, 3, "hij", nil,
			[]string{`back to step 2: 3 "d" taken back`, `back to step 1: 2 "c" taken back`, `you picked 5: 7 "h"`}},
		{"b at the first step", sample.Default, []string{"b", ""}, 1, "c", nil,
			[]string{"nothing to go back to: this is the first step."}},
		{"+ and - move the temperature by tenths", sample.Options{Temperature: 0.8, TopP: 1}, []string{"+", "-", "-", ""}, 1, "c",
			[]sample.Options{{Temperature: 0.9, TopP: 1}, {Temperature: 0.8, TopP: 1}, {Temperature: 0.7, TopP: 1}},
			[]string{"from step 1 on: temperature 0.9 · top-k off\n", "from step 1 on: temperature 0.7 · top-k off\n", "── step 1", "done: 1 token"}},
		{"= is + without Shift", sample.Options{Temperature: 1, TopP: 1}, []string{"=", ""}, 1, "c",
			[]sample.Options{{Temperature: 1.1, TopP: 1}}, []string{"from step 1 on: temperature 1.1 · top-k off\n"}},
		{"- stops at greedy", sample.Options{Temperature: 0.1, TopP: 1}, []string{"-", "-", ""}, 1, "c",
			[]sample.Options{{Temperature: 0, TopP: 1}}, []string{"from step 1 on: temperature 0 (greedy)\n", "temperature is 0 (greedy): it cannot go lower."}},
		{"[ from off keeps the table's rows, ] past them is off", sample.Options{Temperature: 1, TopP: 1}, []string{"[", "[", "]", "]", "]", ""}, 1, "c",
			[]sample.Options{{Temperature: 1, TopK: 10, TopP: 1}, {Temperature: 1, TopK: 9, TopP: 1}, {Temperature: 1, TopK: 10, TopP: 1}, {Temperature: 1, TopP: 1}},
			[]string{"temperature 1 · top-k 10\n", "temperature 1 · top-k 9\n", "temperature 1 · top-k 10\n", "temperature 1 · top-k off\n", "top-k is off: every token is kept already."}},
		{"[ stops at 1", sample.Options{Temperature: 1, TopK: 2, TopP: 1}, []string{"[", "[", ""}, 1, "c",
			[]sample.Options{{Temperature: 1, TopK: 1, TopP: 1}}, []string{"top-k is 1: only the most probable token is kept"}},
		{"top-k while greedy says it waits", sample.Options{TopP: 1}, []string{"[", ""}, 1, "c",
			[]sample.Options{{TopK: 10, TopP: 1}}, []string{"from step 1 on: temperature 0 (greedy) · top-k 10 waits for a temperature above 0\n"}},
		{"tuning applies at the current step, after going back", sample.Default, []string{"", "b", "+", "", ""}, 2, "cd",
			[]sample.Options{{Temperature: 1.1, TopP: 1}}, []string{"back to step 1", "from step 1 on: temperature 1.1 · top-k off"}},
		{"q after b prints the text without the taken-back token", sample.Default, []string{"", "", "b", "q"}, 5, "c", nil,
			[]string{"── quit: 1 token ──\nabc\n"}},
	}
	for _, tt := range tests {
		var lines, raw strings.Builder
		for _, k := range tt.keys {
			lines.WriteString(k + "\n")
			if k == "" {
				k = "\r"
			}
			raw.WriteString(k)
		}
		for _, src := range []struct {
			name string
			keys Keys
		}{{"lines", LineKeys(strings.NewReader(lines.String()))}, {"raw", RawKeys(strings.NewReader(raw.String()))}} {
			t.Run(tt.name+"/"+src.name, func(t *testing.T) {
				f := &tunableLetters{letterStepper: letterStepper{context: letters("ab")}, opts: tt.opts}
				var out bytes.Buffer
				l := Loop{Stepper: f, TokenText: letterText, Mode: ModeInteractive, MaxTokens: tt.max,
					Keys: src.keys, Out: &out, Width: 80}
				res, err := l.Run()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(res.IDs, letters(tt.want)) || !reflect.DeepEqual(f.accepted, letters(tt.want)) {
					t.Errorf("generated %v, model holds %v; want %v", res.IDs, f.accepted, letters(tt.want))
				}
				if string(res.Text) != "ab"+tt.want {
					t.Errorf("text %q, want %q", res.Text, "ab"+tt.want)
				}
				if !reflect.DeepEqual(f.set, tt.set) {
					t.Errorf("SetSampling calls %+v, want %+v", f.set, tt.set)
				}
				rest := out.String()
				for _, s := range tt.output {
					i := strings.Index(rest, s)
					if i < 0 {
						t.Fatalf("output lacks %q (in this order):\n%s", s, out.String())
					}
					rest = rest[i+len(s):]
				}
			})
		}
	}
}

// TestHint checks the keys offered: only those the Stepper serves, the
// digits as far as the table goes, and the hint wrapped to the width.
func TestHint(t *testing.T) {
	tests := []struct {
		name    string
		stepper Stepper
		width   int
		want    string
	}{
		{"plain stepper", &letterStepper{context: letters("ab")}, 80,
			"Enter: next · 0-9: pick · a: run to the end · q: quit > "},
		{"back and tuning", &tunableLetters{letterStepper: letterStepper{context: letters("ab")}, opts: sample.Default}, 80,
			"Enter: next · 0-9: pick · b: back · +/-: temperature · [/]: top-k ·\na: run to the end · q: quit > "},
		{"wide terminal", &tunableLetters{letterStepper: letterStepper{context: letters("ab")}, opts: sample.Default}, 120,
			"Enter: next · 0-9: pick · b: back · +/-: temperature · [/]: top-k · a: run to the end · q: quit > "},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		l := Loop{Stepper: tt.stepper, TokenText: letterText, Mode: ModeInteractive, MaxTokens: 1,
			In: strings.NewReader("q\n"), Out: &out, Width: tt.width}
		if _, err := l.Run(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "\n"+tt.want+"q\n") {
			t.Errorf("%s: the hint is not %q:\n%s", tt.name, tt.want, out.String())
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if n := utf8.RuneCountInString(line); n > tt.width {
				t.Errorf("%s: a line of %d cells on a terminal of %d: %q", tt.name, n, tt.width, line)
			}
		}
	}
}

// TestTune checks the steps of the tuning keys against decimal literals:
// + and - land on tenths (0.85 goes to 0.9 and 0.8, not 0.95 and 0.75),
// exactly the float a user would type, and top-k keys leave the temperature
// alone.
func TestTune(t *testing.T) {
	tests := []struct {
		from sample.Options
		key  string
		want sample.Options
	}{
		{sample.Options{Temperature: 0.8}, "+", sample.Options{Temperature: 0.9}},
		{sample.Options{Temperature: 0.8}, "-", sample.Options{Temperature: 0.7}},
		{sample.Options{Temperature: 0.7}, "+", sample.Options{Temperature: 0.8}},
		{sample.Options{Temperature: 0.2}, "+", sample.Options{Temperature: 0.3}},
		{sample.Options{Temperature: 0.4}, "-", sample.Options{Temperature: 0.3}},
		{sample.Options{Temperature: 0.85}, "+", sample.Options{Temperature: 0.9}},
		{sample.Options{Temperature: 0.85}, "-", sample.Options{Temperature: 0.8}},
		{sample.Options{Temperature: 0.1}, "-", sample.Options{Temperature: 0}},
		{sample.Options{Temperature: 0.05}, "-", sample.Options{Temperature: 0}},
		{sample.Options{Temperature: 0}, "+", sample.Options{Temperature: 0.1}},
		{sample.Options{Temperature: 2}, "+", sample.Options{Temperature: 2.1}},
		{sample.Options{Temperature: 0.85, TopK: 0}, "[", sample.Options{Temperature: 0.85, TopK: 10}},
		{sample.Options{Temperature: 0.85, TopK: 40}, "[", sample.Options{Temperature: 0.85, TopK: 10}},
		{sample.Options{Temperature: 0.85, TopK: 10}, "[", sample.Options{Temperature: 0.85, TopK: 9}},
		{sample.Options{Temperature: 0.85, TopK: 9}, "]", sample.Options{Temperature: 0.85, TopK: 10}},
		{sample.Options{Temperature: 0.85, TopK: 10}, "]", sample.Options{Temperature: 0.85, TopK: 0}},
		{sample.Options{Temperature: 0.85, TopK: 40}, "]", sample.Options{Temperature: 0.85, TopK: 0}},
	}
	for _, tt := range tests {
		if got := tune(tt.from, tt.key, 10); got != tt.want {
			t.Errorf("%+v %s: %+v, want %+v", tt.from, tt.key, got, tt.want)
		}
	}
}

// TestSpecialTokensLeftOut starts from a marker token, as tick generate
// does with no prompt: the trace shows it, the text does not.
func TestSpecialTokensLeftOut(t *testing.T) {
	z := int('z' - 'a') // the "marker": after it comes a
	special := func(id int) bool { return id == z }
	for _, mode := range []Mode{ModeText, ModeTrace} {
		f := &letterStepper{context: []int{z}}
		var out bytes.Buffer
		l := Loop{Stepper: f, TokenText: letterText, Mode: mode, MaxTokens: 3, Out: &out, Special: special}
		res, err := l.Run()
		if err != nil {
			t.Fatal(err)
		}
		if string(res.Text) != "abc" {
			t.Errorf("mode %d: text %q, want abc without the marker", mode, res.Text)
		}
		want := "abc\n"
		if mode == ModeTrace {
			want = "── done: 3 tokens, stopped at max-tokens ──\nabc\n"
			if !strings.Contains(out.String(), "context (1 token): z\n") {
				t.Errorf("the trace does not show the marker in the context:\n%s", out.String())
			}
		}
		if !strings.HasSuffix(out.String(), want) {
			t.Errorf("mode %d: output does not end with %q:\n%s", mode, want, out.String())
		}
	}
}

// closingKeys is LineKeys that records when the loop closes it, and what
// had been written by then.
type closingKeys struct {
	Keys
	out      *bytes.Buffer
	closes   int
	atClose  string
	readsAft int
}

func (k *closingKeys) ReadKey() (string, error) {
	if k.closes > 0 {
		k.readsAft++
	}
	return k.Keys.ReadKey()
}

func (k *closingKeys) Close() error {
	k.closes++
	k.atClose = k.out.String()
	return nil
}

// TestKeysClosed: the loop closes its keys once, as soon as it stops
// asking, before the text that follows (a terminal is put back before a
// run to the end streams text, and before the text q prints).
func TestKeysClosed(t *testing.T) {
	for _, tt := range []struct{ keys, after string }{
		{"a\n", "running to the end:"},
		{"\nq\n", "── quit"},
		{"\n\n", "── done"},
	} {
		var out bytes.Buffer
		k := &closingKeys{Keys: LineKeys(strings.NewReader(tt.keys)), out: &out}
		l := Loop{Stepper: &letterStepper{context: letters("ab")}, TokenText: letterText, Mode: ModeInteractive,
			MaxTokens: 2, Keys: k, Out: &out}
		if _, err := l.Run(); err != nil {
			t.Fatal(err)
		}
		if k.closes != 1 || k.readsAft != 0 {
			t.Errorf("keys %q: closed %d times, read %d times after; want closed once, then not read", tt.keys, k.closes, k.readsAft)
		}
		if strings.Contains(k.atClose, tt.after) || !strings.Contains(out.String(), tt.after) {
			t.Errorf("keys %q: %q was not printed after the keys were closed:\n%s", tt.keys, tt.after, out.String())
		}
	}
}
