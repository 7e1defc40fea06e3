package generate

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// TokenText gives the bytes a token id stands for. A tokenizer's token may be
// a fragment of a UTF-8 character (byte-level BPE splits multi-byte
// characters), so it is bytes, not a string. It returns nil for an id the
// tokenizer does not know (a model's vocabulary may be padded past it).
//
// This package knows nothing of tokenizers: the caller passes this function.
type TokenText func(id int) []byte

// utf8Stream turns a stream of byte chunks into printable text. A token can
// end in the middle of a multi-byte character; printing it at once would show
// a broken character that the next token completes. So the incomplete tail is
// held back until the bytes that finish it arrive (or Flush gives up on it).
// Bytes that can never become valid UTF-8 are printed as U+FFFD.
type utf8Stream struct {
	pending []byte
}

// Push adds b and returns the text that is now complete.
func (s *utf8Stream) Push(b []byte) string {
	s.pending = append(s.pending, b...)
	cut := completePrefix(s.pending)
	out := strings.ToValidUTF8(string(s.pending[:cut]), "\uFFFD")
	s.pending = append(s.pending[:0], s.pending[cut:]...)
	return out
}

// Flush returns whatever is held back, broken characters replaced by U+FFFD.
func (s *utf8Stream) Flush() string {
	out := strings.ToValidUTF8(string(s.pending), "\uFFFD")
	s.pending = s.pending[:0]
	return out
}

// completePrefix is the length of the longest prefix of b that does not end
// inside a character that more bytes could still complete. Only the last
// utf8.UTFMax-1 bytes can start such a character.
func completePrefix(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-(utf8.UTFMax-1); i-- {
		if !utf8.RuneStart(b[i]) {
			continue // a continuation byte: look further back for its start
		}
		if !utf8.FullRune(b[i:]) {
			return i // b[i:] is the beginning of a character still arriving
		}
		break
	}
	return len(b)
}

// display spells token bytes for a table cell: whitespace made visible
// (space ·, newline ⏎, tab →, other controls as \xNN) and bytes that are
// not valid UTF-8 on their own (a fragment of a character) as \xNN, so every
// token has a readable, unambiguous spelling.
func display(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			sb.WriteString(`\x` + strconv.FormatUint(uint64(b[0])|0x100, 16)[1:])
		case r == ' ':
			sb.WriteRune('·')
		case r == '\n':
			sb.WriteRune('⏎')
		case r == '\t':
			sb.WriteRune('→')
		case r == '\r':
			sb.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			sb.WriteString(`\x` + strconv.FormatUint(uint64(r)|0x100, 16)[1:])
		default:
			sb.WriteRune(r)
		}
		b = b[n:]
	}
	return sb.String()
}

// jsonText spells token bytes for JSON: the text itself when it is valid
// UTF-8, else the valid parts with each stray byte written as \xNN, since
// encoding/json would silently turn them into U+FFFD.
func jsonText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			sb.WriteString(`\x` + strconv.FormatUint(uint64(b[0])|0x100, 16)[1:])
		} else {
			sb.Write(b[:n])
		}
		b = b[n:]
	}
	return sb.String()
}

// tail returns the last n display cells of s (one per rune), with "…" in
// front when something was cut.
func tail(s string, n int) string {
	if n < 1 {
		return ""
	}
	count := utf8.RuneCountInString(s)
	if count <= n {
		return s
	}
	skip := count - (n - 1)
	for i := range s {
		if skip == 0 {
			return "…" + s[i:]
		}
		skip--
	}
	return "…"
}
