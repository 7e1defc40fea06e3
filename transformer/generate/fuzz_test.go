package generate

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tick-llm/tick/transformer/sample"
)

// FuzzInteractiveKeys feeds arbitrary input to an interactive session: it
// must never panic, never generate more than asked, and generate exactly
// the tokens the scripted keys (as the loop reads them) call for.
func FuzzInteractiveKeys(f *testing.F) {
	for _, seed := range []string{"", "\n", "3\n", "a\n", "q\n", "\n3\na\nq\n", "x\n\r\n9\n", "\x00\xff\n", "12\n 4 \n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, keys string) {
		st := &letterStepper{context: letters("ab")}
		var out bytes.Buffer
		l := Loop{Stepper: st, TokenText: letterText, Mode: ModeInteractive, MaxTokens: 5,
			In: strings.NewReader(keys), Out: &out, Width: 40}
		res, err := l.Run()
		if err != nil {
			t.Fatal(err)
		}
		if len(res.IDs) > 5 || len(res.IDs) != len(st.accepted) {
			t.Fatalf("generated %d tokens (model given %d), at most 5 asked", len(res.IDs), len(st.accepted))
		}
		if res.Stopped != StoppedQuit && len(res.IDs) != 5 {
			t.Fatalf("stopped at %s after %d tokens", res.Stopped, len(res.IDs))
		}
		// Replay the keys as the loop should read them.
		last, steps := 1, 0
		for _, line := range strings.SplitAfter(keys, "\n") {
			if steps == len(res.IDs) {
				break
			}
			key := strings.ToLower(strings.TrimSpace(line))
			switch {
			case key == "q":
				steps = -1
			case key == "" && line != "":
				last = (last + 1) % 26
			case key == "a":
				for ; steps < 5; steps++ {
					last = (last + 1) % 26
					if res.IDs[steps] != last {
						t.Fatalf("after a, token %d is %d, want %d", steps, res.IDs[steps], last)
					}
				}
				return
			case len(key) == 1 && key[0] >= '0' && key[0] <= '9':
				last = (last + 1 + int(key[0]-'0')) % 26
			default:
				continue // not a key: asked again
			}
			if steps < 0 || line == "" {
				break
			}
			if res.IDs[steps] != last {
				t.Fatalf("token %d is %d, want %d for key %q", steps, res.IDs[steps], last, key)
			}
			steps++
		}
		if !utf8.Valid(out.Bytes()) {
			t.Fatalf("output is not valid UTF-8")
		}
	})
}

// FuzzRawKeys types arbitrary bytes at an interactive session whose Stepper
// can go back and be tuned, as a terminal in raw mode would deliver them
// (control bytes, broken escape sequences, stray UTF-8): it must never fail
// or panic, the model must hold exactly the tokens the result reports, and
// the output must stay valid UTF-8 however odd the keys echoed.
func FuzzRawKeys(f *testing.F) {
	for _, seed := range []string{"", "\r", "3b\r", "b\x7f\x1b[D", "+-[]=", "\x1b[1;5Dq", "\x03", "\xff\x1b", "a"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, keys string) {
		st := &tunableLetters{letterStepper: letterStepper{context: letters("ab")}, opts: sample.Default}
		var out bytes.Buffer
		l := Loop{Stepper: st, TokenText: letterText, Mode: ModeInteractive, MaxTokens: 4,
			Keys: RawKeys(strings.NewReader(keys)), Out: &out, Width: 40}
		res, err := l.Run()
		if err != nil {
			t.Fatal(err)
		}
		if len(res.IDs) > 4 || !slices.Equal(res.IDs, st.accepted) {
			t.Fatalf("result %v, model holds %v (at most 4 asked)", res.IDs, st.accepted)
		}
		if want := "ab" + string(spell(letterText, res.IDs)); string(res.Text) != want {
			t.Fatalf("text %q, want %q", res.Text, want)
		}
		if !utf8.Valid(out.Bytes()) {
			t.Fatalf("output is not valid UTF-8")
		}
	})
}
