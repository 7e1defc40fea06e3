package generate

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// TestRawKeys checks how the bytes a terminal in raw mode sends are cut
// into keys. The byte sequences are those of xterm's documentation (ctlseqs:
// cursor keys are CSI A..D, or SS3 A..D in application mode; modifiers go
// in as "1;5"), and Enter sends \r in raw mode.
func TestRawKeys(t *testing.T) {
	tests := []struct {
		name string
		in   []string // one Read each
		want []string
	}{
		{"a digit, no Enter", []string{"3"}, []string{"3"}},
		{"Enter is \\r", []string{"\r"}, []string{""}},
		{"\\n and CR LF are one Enter each", []string{"\n\r\n"}, []string{"", ""}},
		{"keys typed ahead come in one read", []string{"3b\r+"}, []string{"3", "b", "", "+"}},
		{"Backspace and ^H are back", []string{"\x7f\x08"}, []string{"b", "b"}},
		{"the left arrow is back", []string{"\x1b[D", "\x1bOD", "\x1b[1;5D"}, []string{"b", "b", "b"}},
		{"other arrows are named", []string{"\x1b[A\x1b[B\x1b[C"}, []string{"up", "down", "right"}},
		{"an escape sequence is one key, not a [", []string{"\x1b[3~q"}, []string{"\x1b[3~", "q"}},
		{"ESC alone", []string{"\x1b"}, []string{"\x1b"}},
		{"Ctrl-C and Ctrl-D quit", []string{"\x03", "\x04"}, []string{"q", "q"}},
		{"a UTF-8 character is one key", []string{"é€"}, []string{"é", "€"}},
		{"a stray byte is one key", []string{"\xff["}, []string{"\xff", "["}},
	}
	for _, tt := range tests {
		got := readAll(t, RawKeys(&chunks{parts: tt.in}))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %q gave keys %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// chunks returns one part per Read, as a terminal returns what one key
// press sent.
type chunks struct{ parts []string }

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.parts[0])
	c.parts = c.parts[1:]
	return n, nil
}

func TestLineKeys(t *testing.T) {
	got := readAll(t, LineKeys(strings.NewReader("3\n\n  q \r\n+")))
	if want := []string{"3", "", "q", "+"}; !reflect.DeepEqual(got, want) {
		t.Errorf("keys %q, want %q (one per line, trimmed, a last line without newline too)", got, want)
	}
}

// readAll reads keys until the end of the input.
func readAll(t *testing.T, k Keys) []string {
	t.Helper()
	var got []string
	for {
		key, err := k.ReadKey()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, key)
	}
}
