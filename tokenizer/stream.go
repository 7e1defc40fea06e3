package tokenizer

import "unicode/utf8"

// StreamDecoder decodes token IDs one at a time, as a model generates them.
// A token can end in the middle of a UTF-8 character (an emoji is often two
// or three tokens), so the decoder holds back an incomplete character until
// the tokens that finish it arrive. Everything it returns, concatenated,
// equals Decode of all the IDs pushed.
type StreamDecoder struct {
	tokenBytes func(id int) ([]byte, error)
	pending    []byte // the start of a character still missing bytes
}

// NewStreamDecoder returns a StreamDecoder for e.
func (e *Encoding) NewStreamDecoder() *StreamDecoder {
	return NewStreamDecoderFunc(e.TokenBytes)
}

// NewStreamDecoderFunc returns a StreamDecoder for any vocabulary, given the
// bytes each token stands for (an error for an id it does not know): a
// character- or byte-level model's text streams the same way.
func NewStreamDecoderFunc(tokenBytes func(id int) ([]byte, error)) *StreamDecoder {
	return &StreamDecoder{tokenBytes: tokenBytes}
}

// Push decodes one more id and returns the text that is now complete (often
// empty while a character is incomplete). An unknown id is an error and
// changes nothing.
func (d *StreamDecoder) Push(id int) (string, error) {
	b, err := d.tokenBytes(id)
	if err != nil {
		return "", err
	}
	buf := append(d.pending, b...)
	cut := completePrefix(buf)
	out := string(buf[:cut])
	d.pending = append(d.pending[:0:0], buf[cut:]...)
	return out, nil
}

// Flush returns whatever is held back (an incomplete character, as its raw
// bytes) and resets the decoder.
func (d *StreamDecoder) Flush() string {
	s := string(d.pending)
	d.pending = nil
	return s
}

// completePrefix returns the length of the longest prefix of b that does
// not end inside a UTF-8 character that more bytes could still complete.
// Bytes that can never be part of a valid character are not held back.
func completePrefix(b []byte) int {
	// A character is at most utf8.UTFMax bytes, so only the last three
	// bytes can start an incomplete one.
	for i := len(b) - 1; i >= 0 && i >= len(b)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}
