package tokenizer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token is one token of an encoded text, with where its bytes sit in the
// text, for display.
type Token struct {
	ID         int
	Bytes      []byte
	Start, End int // byte offsets in the decoded text
	Special    bool
}

// Tokens describes each id: its bytes and byte offsets in the text that
// Decode(ids) returns.
func (e *Encoding) Tokens(ids []int) ([]Token, error) {
	out := make([]Token, len(ids))
	pos := 0
	for i, id := range ids {
		b, err := e.TokenBytes(id)
		if err != nil {
			return nil, err
		}
		out[i] = Token{ID: id, Bytes: b, Start: pos, End: pos + len(b), Special: e.IsSpecial(id)}
		pos += len(b)
	}
	return out, nil
}

// Visible renders token bytes for a terminal with whitespace made visible:
// · for a space, → for a tab, ↵ for a newline, ␍ for a carriage return,
// other invisible characters as <U+XXXX>, and bytes that are not a whole
// UTF-8 character (a token may hold part of one) as <xNN>.
func Visible(b []byte) string {
	var sb strings.Builder
	for first := true; len(b) > 0; first = false {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&sb, "<x%02x>", b[0])
		case r == ' ':
			sb.WriteString("·")
		case r == '\t':
			sb.WriteString("→")
		case r == '\n':
			sb.WriteString("↵")
		case r == '\r':
			sb.WriteString("␍")
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' '):
			fmt.Fprintf(&sb, "<U+%04X>", r)
		case first && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r)):
			// A combining mark starting a token would sit on the previous
			// token's glyph; a dotted circle gives it a base of its own.
			sb.WriteString("◌")
			sb.WriteRune(r)
		default:
			sb.WriteRune(r)
		}
		b = b[n:]
	}
	return sb.String()
}
