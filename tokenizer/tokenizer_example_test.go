package tokenizer_test

import (
	"fmt"

	"github.com/tick-llm/tick/tokenizer"
)

// A char-level vocabulary is the sorted set of characters of the text.
func ExampleNewChar() {
	tok, _ := tokenizer.NewChar("hello world")
	ids, _ := tok.Encode("hold")
	fmt.Printf("%q %d %v %s\n", tok.Chars(), tok.VocabSize(), ids, tok.Decode(ids))
	_, err := tok.Encode("Hi!")
	fmt.Println(err)
	// Output:
	// " dehlorw" 8 [3 5 4 1] hold
	// text has 3 character(s) outside the char vocabulary of this model (8 characters from its training text): 'H' (U+0048), 'i' (U+0069), '!' (U+0021); use only characters the model was trained on
}
