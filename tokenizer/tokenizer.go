package tokenizer

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Tokenizer turns text into the token ids a model reads and back. A run
// folder keeps its tokenizer next to the weights, so a model is always read
// and decoded with the one it was trained with.
type Tokenizer interface {
	// Name is "char", "byte", or the name of a tiktoken encoding.
	Name() string
	// VocabSize is the number of token ids (max id + 1).
	VocabSize() int
	// Encode fails only if the text cannot be written in this vocabulary
	// (a char vocabulary lacks one of its characters).
	Encode(text string) ([]int, error)
	// Decode joins the bytes of the tokens; unknown ids decode to U+FFFD.
	Decode(ids []int) []byte
	// TokenBytes is the text one token stands for (nil for an unknown id).
	TokenBytes(id int) []byte
}

// Char has one token per distinct character (Unicode code point) of
// a corpus, ids in code-point order, as nanoGPT's shakespeare_char. Small
// vocabulary, long sequences: the model must learn spelling itself.
type Char struct {
	chars []rune       // id -> character, sorted
	ids   map[rune]int // character -> id
}

// NewChar builds the vocabulary of the distinct characters of
// corpus, which must be valid UTF-8.
func NewChar(corpus string) (*Char, error) {
	if i := InvalidUTF8(corpus); i >= 0 {
		return nil, fmt.Errorf("char tokenizer: the text is not valid UTF-8 (bad byte at offset %d); use the byte tokenizer for binary data", i)
	}
	seen := map[rune]bool{}
	var chars []rune
	for _, r := range corpus {
		if !seen[r] {
			seen[r] = true
			chars = append(chars, r)
		}
	}
	if len(chars) == 0 {
		return nil, fmt.Errorf("char tokenizer: empty text has no characters")
	}
	slices.Sort(chars)
	return charOf(chars), nil
}

func charOf(chars []rune) *Char {
	t := &Char{chars: chars, ids: make(map[rune]int, len(chars))}
	for i, r := range chars {
		t.ids[r] = i
	}
	return t
}

// Name returns "char".
func (t *Char) Name() string { return "char" }

// VocabSize is the number of distinct characters.
func (t *Char) VocabSize() int { return len(t.chars) }

// Chars returns the alphabet in id order.
func (t *Char) Chars() string { return string(t.chars) }

// Encode maps each character to its id. Characters outside the alphabet are
// an error that names them (at most 10), since the model has never seen them.
func (t *Char) Encode(text string) ([]int, error) {
	if i := InvalidUTF8(text); i >= 0 {
		// Listing U+FFFD among "unknown characters" would hide the cause.
		return nil, fmt.Errorf("the text is not valid UTF-8 (bad byte at offset %d), and a char tokenizer reads characters: convert the text to UTF-8, or train with --tokenizer byte for binary data", i)
	}
	ids := make([]int, 0, len(text))
	var missing []rune
	for _, r := range text {
		id, ok := t.ids[r]
		if !ok {
			if !slices.Contains(missing, r) {
				missing = append(missing, r)
			}
			continue
		}
		ids = append(ids, id)
	}
	if len(missing) > 0 {
		names := make([]string, 0, 10)
		for i, r := range missing {
			if i == 10 {
				names = append(names, fmt.Sprintf("and %d more", len(missing)-10))
				break
			}
			names = append(names, fmt.Sprintf("%q (U+%04X)", r, r))
		}
		return nil, fmt.Errorf("text has %d character(s) outside the char vocabulary of this model (%d characters from its training text): %s; use only characters the model was trained on",
			len(missing), len(t.chars), strings.Join(names, ", "))
	}
	return ids, nil
}

// InvalidUTF8 returns the offset of the first byte of text that is not
// part of a valid UTF-8 character, or -1 when text is valid UTF-8.
func InvalidUTF8(text string) int {
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// Decode writes the characters of ids; an unknown id becomes U+FFFD.
func (t *Char) Decode(ids []int) []byte {
	var b []byte
	for _, id := range ids {
		r := utf8.RuneError
		if id >= 0 && id < len(t.chars) {
			r = t.chars[id]
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}

// TokenBytes is the UTF-8 encoding of the character with this id.
func (t *Char) TokenBytes(id int) []byte {
	if id < 0 || id >= len(t.chars) {
		return nil
	}
	return utf8.AppendRune(nil, t.chars[id])
}

// Byte has 256 tokens, one per byte value: any input works, no
// vocabulary to learn, and sequences are as long as the text in bytes.
type Byte struct{}

// Name returns "byte".
func (Byte) Name() string { return "byte" }

// VocabSize is 256.
func (Byte) VocabSize() int { return 256 }

// Encode returns the bytes of text as ids; it never fails.
func (Byte) Encode(text string) ([]int, error) {
	ids := make([]int, len(text))
	for i := 0; i < len(text); i++ {
		ids[i] = int(text[i])
	}
	return ids, nil
}

// Decode returns the bytes; an id outside 0..255 becomes U+FFFD.
func (Byte) Decode(ids []int) []byte {
	b := make([]byte, 0, len(ids))
	for _, id := range ids {
		if id < 0 || id > 255 {
			b = utf8.AppendRune(b, utf8.RuneError)
			continue
		}
		b = append(b, byte(id))
	}
	return b
}

// TokenBytes is the single byte id.
func (Byte) TokenBytes(id int) []byte {
	if id < 0 || id > 255 {
		return nil
	}
	return []byte{byte(id)}
}
