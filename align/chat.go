package align

import (
	"fmt"
	"strings"
)

// The chat vocabulary: the 256 byte values, then three role tokens with
// reserved IDs after them. A byte-level model of this vocabulary can read
// any text; the role tokens can never be produced by text, so a user cannot
// forge the start of an assistant turn by typing "<|assistant|>".
const (
	User      = 256 // <|user|>: a user turn begins
	Assistant = 257 // <|assistant|>: an assistant turn begins
	End       = 258 // <|end|>: a turn ends
	VocabSize = 259
)

// roleNames are the role tokens as printed.
var roleNames = map[int]string{User: "<|user|>", Assistant: "<|assistant|>", End: "<|end|>"}

// PromptIDs renders a user turn and opens the assistant's:
//
//	<|user|> prompt bytes <|end|> <|assistant|>
//
// the tokens a model continues with its reply.
func PromptIDs(prompt string) []int {
	ids := make([]int, 0, len(prompt)+3)
	ids = append(ids, User)
	for _, b := range []byte(prompt) {
		ids = append(ids, int(b))
	}
	return append(ids, End, Assistant)
}

// ReplyIDs renders an assistant reply: its bytes, then <|end|>.
func ReplyIDs(reply string) []int {
	ids := make([]int, 0, len(reply)+1)
	for _, b := range []byte(reply) {
		ids = append(ids, int(b))
	}
	return append(ids, End)
}

// DecodeReply reads generated reply tokens up to the first <|end|> (or all
// of them) back into text; a role token inside a reply is printed by name.
func DecodeReply(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		if id == End {
			break
		}
		if name, ok := roleNames[id]; ok {
			b.WriteString(name)
			continue
		}
		b.WriteByte(byte(id))
	}
	return b.String()
}

// Render prints a token sequence with the role tokens by name, for a
// learner to see what the model reads.
func Render(ids []int) (string, error) {
	var b strings.Builder
	for i, id := range ids {
		switch {
		case id >= 0 && id < 256:
			b.WriteByte(byte(id))
		case roleNames[id] != "":
			b.WriteString(roleNames[id])
		default:
			return "", fmt.Errorf("token %d at position %d is outside the chat vocabulary [0, %d)", id, i, VocabSize)
		}
	}
	return b.String(), nil
}
