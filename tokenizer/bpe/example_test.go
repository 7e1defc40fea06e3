package bpe_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/bpe"
	"github.com/tick-llm/tick/tokenizer/split"
)

// Train learns merges from a tiny corpus. With the GPT-2 pattern the words
// are pieces " hug", " pug", " pun", " bun", " hugs", counted 10, 5, 12, 4
// and 5 times, the corpus of the Hugging Face course's BPE chapter.
//
// By hand: u+g occurs 20 times (hug 15, pug 5) and goes first; then ·+p
// (17), u+n (16), then ·+h and h+ug tie at 15 and the smaller left ID
// wins (space is 32, h is 104).
func ExampleTrain() {
	text := strings.Repeat(" hug", 10) + strings.Repeat(" pug", 5) + strings.Repeat(" pun", 12) +
		strings.Repeat(" bun", 4) + strings.Repeat(" hugs", 5)
	v, err := bpe.Train([]byte(text), bpe.Options{VocabSize: 256 + 6, Pattern: split.GPT2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range v.Merges {
		fmt.Println(v.FormatMerge(m))
	}
	// Output:
	// u + g ⇒ ug (id 256)
	// · + p ⇒ ·p (id 257)
	// u + n ⇒ un (id 258)
	// · + h ⇒ ·h (id 259)
	// ·h + ug ⇒ ·hug (id 260)
	// ·p + un ⇒ ·pun (id 261)
}

// Explain shows how GPT-4's encoding builds each piece of a text.
func ExampleExplain() {
	enc, err := tokenizer.Get("cl100k_base")
	if err != nil {
		fmt.Println(err)
		return
	}
	pieces, err := bpe.Explain(enc, " tokenization!")
	if err != nil {
		fmt.Println(err)
		return
	}
	bpe.WriteExplain(os.Stdout, enc, pieces)
	// Output:
	// piece "·tokenization" ⇒ 2 tokens
	//   1. · + t ⇒ ·t (id 259)
	//   2. o + n ⇒ on (id 263)
	//   3. a + t ⇒ at (id 266)
	//   4. e + n ⇒ en (id 268)
	//   5. i + on ⇒ ion (id 290)
	//   6. ·t + o ⇒ ·to (id 311)
	//   7. at + ion ⇒ ation (id 367)
	//   8. i + z ⇒ iz (id 450)
	//   9. iz + ation ⇒ ization (id 2065)
	//   10. k + en ⇒ ken (id 2779)
	//   11. ·to + ken ⇒ ·token (id 4037)
	//   = ·token (id 4037) | ization (id 2065)
	//
	// piece "!" ⇒ 1 token
	//   (a single byte: no merges)
	//   = ! (id 0)
}

// MergeTree recovers how a token of GPT-4's encoding was built, from the
// rank file alone.
func ExampleMergeTree() {
	enc, err := tokenizer.Get("cl100k_base")
	if err != nil {
		fmt.Println(err)
		return
	}
	tree, err := bpe.MergeTree(enc, 4037) // " token"
	if err != nil {
		fmt.Println(err)
		return
	}
	bpe.WriteTree(os.Stdout, tree)
	// Output:
	// ·token (id 4037)
	// ├─ ·to (id 311)
	// │  ├─ ·t (id 259)
	// │  │  ├─ · (id 220)
	// │  │  └─ t (id 83)
	// │  └─ o (id 78)
	// └─ ken (id 2779)
	//    ├─ k (id 74)
	//    └─ en (id 268)
	//       ├─ e (id 68)
	//       └─ n (id 77)
}
