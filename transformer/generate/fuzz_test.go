package generate

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
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
