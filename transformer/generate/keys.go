package generate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Keys gives an interactive Loop the user's keys, one at a time.
//
// A key is the text it types ("3", "q", "+"), "" for Enter, or the name of a
// key that types nothing ("up", "down", "right"); ReadKey returns io.EOF
// when no key will come any more, which the Loop takes as q. If Keys is also
// an io.Closer, the Loop closes it as soon as it stops asking (after a, q or
// the last step), before it prints the rest: a terminal in raw mode is put
// back there.
type Keys interface {
	ReadKey() (string, error)
}

// LineKeys reads one key per line, Enter ending each: the way to script an
// interactive Loop from a pipe or a test. An empty line is Enter; other lines
// are trimmed of surrounding space. A last line without a newline still
// counts.
func LineKeys(r io.Reader) Keys { return &lineKeys{in: bufio.NewReader(r)} }

type lineKeys struct{ in *bufio.Reader }

func (k *lineKeys) ReadKey() (string, error) {
	line, err := k.in.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", io.EOF
		}
		return "", fmt.Errorf("reading your key: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// RawKeys reads the keys of a terminal in raw mode, where every key press
// arrives at once, without Enter and without echo. It spells them for the
// Loop:
//
//	Enter (\r or \n)                    ""
//	Backspace (DEL or ^H), left arrow   "b" (back one step)
//	Ctrl-C, Ctrl-D                      "q" (raw mode turns off the signal
//	                                    Ctrl-C would send; quitting is
//	                                    what the user means)
//	other arrows                        "up", "down", "right"
//	any other escape sequence           the sequence itself
//	anything else                       the character (a UTF-8 sequence is one key)
//
// A terminal sends an escape sequence (ESC [ A for the up arrow) in one
// write, so one Read holds all of it; reading byte by byte would take its
// "[" for a key of its own.
func RawKeys(r io.Reader) Keys { return &rawKeys{in: r} }

type rawKeys struct {
	in      io.Reader
	pending []string // keys read but not yet returned
	buf     [64]byte
}

func (k *rawKeys) ReadKey() (string, error) {
	for len(k.pending) == 0 {
		n, err := k.in.Read(k.buf[:])
		k.pending = splitKeys(k.buf[:n])
		if err != nil && len(k.pending) == 0 {
			if errors.Is(err, io.EOF) {
				return "", io.EOF
			}
			return "", fmt.Errorf("reading your key: %w", err)
		}
	}
	key := k.pending[0]
	k.pending = k.pending[1:]
	return key, nil
}

// arrows names the final byte of the escape sequences of the arrow keys
// (ESC [ A, or ESC O A in "application" mode).
var arrows = map[byte]string{'A': "up", 'B': "down", 'C': "right", 'D': "b"}

// splitKeys cuts the bytes of one read into keys, as RawKeys spells them.
func splitKeys(b []byte) []string {
	var keys []string
	for len(b) > 0 {
		n, key := 1, string(b[:1])
		switch c := b[0]; {
		case c == '\r' || c == '\n':
			key = ""
			if c == '\r' && len(b) > 1 && b[1] == '\n' { // CR LF is one Enter
				n = 2
			}
		case c == 0x7f || c == 0x08:
			key = "b"
		case c == 0x03 || c == 0x04:
			key = "q"
		case c == 0x1b:
			n = escapeLen(b)
			key = string(b[:n])
			if n == 3 || (n > 3 && b[1] == '[') {
				if name, ok := arrows[b[n-1]]; ok && (n == 3 || b[n-2] >= '0' && b[n-2] <= '9') {
					key = name // ESC [ D, ESC O D, or with modifiers ESC [ 1 ; 5 D
				}
			}
		case c >= utf8.RuneSelf:
			_, n = utf8.DecodeRune(b)
			key = string(b[:n])
		}
		keys = append(keys, key)
		b = b[n:]
	}
	return keys
}

// escapeLen is the length of the escape sequence at the start of b: ESC [
// parameters and a final byte in @..~ (a CSI sequence), ESC O and one byte,
// or ESC alone.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 1
	}
	switch b[1] {
	case 'O':
		return min(3, len(b))
	case '[':
		for i := 2; i < len(b); i++ {
			if b[i] >= 0x40 && b[i] <= 0x7e {
				return i + 1
			}
		}
		return len(b)
	}
	return 1
}
