package hf

import "unicode/utf8"

// GPT-2's byte-to-unicode alphabet (bytes_to_unicode in GPT-2's
// encoder.py): the 188 printable bytes stand for themselves, and the other
// 68 (control characters, space, 0x7F-0xA0, 0xAD) are moved to U+0100 and
// up, in byte order. So every byte string is spelled in visible characters
// and a space is "Ġ" (U+0120).
var (
	byteToRune [256]rune
	runeToByte = map[rune]byte{}
)

func init() {
	printable := func(b int) bool {
		return b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF
	}
	n := 0
	for b := 0; b < 256; b++ {
		if printable(b) {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = rune(256 + n)
			n++
		}
		runeToByte[byteToRune[b]] = byte(b)
	}
}

// toByteLevel spells bytes in GPT-2's alphabet, as Hugging Face's vocab.json
// and tokenizer.json store tokens.
func toByteLevel(b []byte) string {
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = utf8.AppendRune(out, byteToRune[c])
	}
	return string(out)
}

// fromByteLevel turns a token spelled in GPT-2's alphabet back into its
// bytes. ok is false if some character is outside the alphabet; such a
// token can never come out of byte-level merging.
func fromByteLevel(s string) (b []byte, ok bool) {
	b = make([]byte, 0, len(s))
	for _, r := range s {
		c, in := runeToByte[r]
		if !in {
			return nil, false
		}
		b = append(b, c)
	}
	return b, true
}

// decodeByteLevel is what Hugging Face's ByteLevel decoder makes of a
// token: its bytes if it is spelled in the alphabet, else (an added token
// such as "<|café|>" written in plain UTF-8) the token's own UTF-8 bytes.
func decodeByteLevel(s string) []byte {
	if b, ok := fromByteLevel(s); ok {
		return b
	}
	return []byte(s)
}
