package generate

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tick-llm/tick/tokenizer"
)

// TokenText gives the bytes a token id stands for. A tokenizer's token may be
// a fragment of a UTF-8 character (byte-level BPE splits multi-byte
// characters), so it is bytes, not a string. It returns nil for an id the
// tokenizer does not know (a model's vocabulary may be padded past it).
//
// Any vocabulary works (characters, bytes, BPE): the caller passes this
// function.
type TokenText func(id int) []byte

// textStream turns a stream of tokens into printable text. A token can end
// in the middle of a multi-byte character; printing it at once would show a
// broken character that the next token completes. tokenizer.StreamDecoder
// holds the incomplete tail back until the bytes that finish it arrive (or
// Flush gives up on it); bytes that can never become valid UTF-8 are
// printed as U+FFFD.
type textStream struct {
	dec *tokenizer.StreamDecoder
}

func newTextStream(text TokenText) textStream {
	// An id text does not know stands for no bytes: never an error.
	return textStream{tokenizer.NewStreamDecoderFunc(func(id int) ([]byte, error) { return text(id), nil })}
}

// Push adds the tokens and returns the text that is now complete.
func (s textStream) Push(ids ...int) string {
	var b strings.Builder
	for _, id := range ids {
		text, _ := s.dec.Push(id) // newTextStream's function never fails
		b.WriteString(text)
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// Flush returns whatever is held back, broken characters replaced by U+FFFD.
func (s textStream) Flush() string {
	return strings.ToValidUTF8(s.dec.Flush(), "\uFFFD")
}

// jsonText spells token bytes for JSON: the text itself when it is valid
// UTF-8, else the valid parts with each stray byte written as \xNN, since
// encoding/json would silently turn them into U+FFFD.
func jsonText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n <= 1 {
			sb.WriteString(`\x` + strconv.FormatUint(uint64(s[0])|0x100, 16)[1:])
		} else {
			sb.WriteString(s[:n])
		}
		s = s[n:]
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
