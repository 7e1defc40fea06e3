package tokenizer

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
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
// UTF-8 character (a token may hold part of one) as <xNN>. A zero-width
// joiner inside an emoji sequence (👨‍👩‍👧, 🧑‍💻) stays as it is, so the
// terminal draws the one emoji it joins; anywhere else it is <U+200D>.
func Visible(b []byte) string {
	joining := joiners(b)
	var sb strings.Builder
	for i, first := 0, true; i < len(b); first = false {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&sb, "<x%02x>", b[i])
		case r == ' ':
			sb.WriteString("·")
		case r == '\t':
			sb.WriteString("→")
		case r == '\n':
			sb.WriteString("↵")
		case r == '\r':
			sb.WriteString("␍")
		case r == zwj && joining[i]:
			sb.WriteRune(r)
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
		i += n
	}
	return sb.String()
}

// zwj is the zero-width joiner, U+200D.
const zwj = '\u200d'

// joiners returns the byte offsets in b of the zero-width joiners that
// join the characters around them into one grapheme cluster: those not at
// the end of their cluster. (A ZWJ after a letter ends the letter's
// cluster; only between emoji does it join.) Most text has no ZWJ at all.
func joiners(b []byte) map[int]bool {
	if !bytes.ContainsRune(b, zwj) {
		return nil
	}
	joining := map[int]bool{}
	state, pos := -1, 0
	for rest := b; len(rest) > 0; {
		var cluster []byte
		cluster, rest, _, state = uniseg.FirstGraphemeCluster(rest, state)
		for i := 0; i < len(cluster); {
			r, n := utf8.DecodeRune(cluster[i:])
			if r == zwj && i+n < len(cluster) {
				joining[pos+i] = true
			}
			i += n
		}
		pos += len(cluster)
	}
	return joining
}

// A CharGroup is a run of consecutive tokens whose bytes make whole
// characters together but not apart (see CharGroups). Most groups are a
// single token.
type CharGroup struct {
	Tokens []Token // the run, a subslice of the tokens given to CharGroups
	Text   []byte  // the run's bytes, joined: one or more whole characters
}

// Split reports whether the group is several tokens of which one holds
// only part of a UTF-8 character, as byte-level BPE tokens of an emoji or
// a CJK character often do. Such a group reads only as a whole: a view
// shows its Text once, with the tokens beside it. A group that is not
// split is one token, or tokens that are each whole characters (a letter
// and, in the next token, its accent: e|◌́), and reads fine token by token.
func (g CharGroup) Split() bool {
	if len(g.Tokens) < 2 {
		return false
	}
	for _, t := range g.Tokens {
		if !utf8.Valid(t.Bytes) {
			return true
		}
	}
	return false
}

// Superscript writes n in superscript digits, 12 as ¹²: the notation that
// follows a character drawn once for a group of n tokens (東², 👨‍👩‍👧‍👦¹⁸).
func Superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	var sb strings.Builder
	for _, c := range strconv.Itoa(n) {
		if c == '-' {
			sb.WriteRune('⁻')
			continue
		}
		sb.WriteRune(sup[c-'0'])
	}
	return sb.String()
}

// CharGroups cuts toks into the shortest runs of tokens that each spell
// whole characters, for views that show a character once with the tokens
// it is made of. The runs tile toks in order, and their Texts joined are
// the tokens' bytes joined.
//
// A character here is a grapheme cluster (Unicode UAX #29, as
// github.com/rivo/uniseg finds them): what a reader sees as one character.
// Whole code points are not enough: the family emoji 👨‍👩‍👧‍👦 is seven
// code points, four emoji joined by zero-width joiners, and only all
// seven together draw the family; the same holds for a flag (two regional
// indicators), a skin tone (👋🏽) or a letter and its accent. A byte that is
// no part of a valid UTF-8 character is a character of its own (as
// utf8.DecodeRune reads it), so invalid text cuts where it is invalid
// instead of swallowing the rest. Only the tokens' Bytes are read; their
// offsets need not be set.
func CharGroups(toks []Token) []CharGroup {
	var text []byte
	for _, t := range toks {
		text = append(text, t.Bytes...)
	}
	// boundary[i]: a grapheme cluster of the whole text starts (or the text
	// ends) at byte i. Clusters are found in the whole text, not per token:
	// whether a boundary falls between two bytes can depend on the bytes
	// before them (a flag is a pair of regional indicators).
	boundary := make([]bool, len(text)+1)
	boundary[0] = true
	state, pos := -1, 0
	for rest := text; len(rest) > 0; {
		var cluster []byte
		cluster, rest, _, state = uniseg.FirstGraphemeCluster(rest, state)
		pos += len(cluster)
		boundary[pos] = true
	}
	var groups []CharGroup
	first, start := 0, 0 // the current run's first token and first byte
	pos = 0
	for i, t := range toks {
		pos += len(t.Bytes)
		if boundary[pos] {
			groups = append(groups, CharGroup{Tokens: toks[first : i+1], Text: text[start:pos:pos]})
			first, start = i+1, pos
		}
	}
	return groups
}
