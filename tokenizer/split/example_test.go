package split_test

import (
	"fmt"

	"github.com/tick-llm/tick/tokenizer/split"
)

// The three patterns cut the same text differently: GPT-2 keeps digit runs
// whole and knows only lower-case contractions, cl100k cuts numbers in
// threes and keeps newlines with the punctuation before them, o200k also
// cuts words where lower case turns upper, and keeps a contraction
// with its word.
func ExamplePattern_Split() {
	text := []byte("CamelCase: DON'T run 12345 tasks!\n  ok")
	for _, p := range []split.Pattern{split.GPT2, split.CL100K, split.O200K} {
		fmt.Printf("%-6v %q\n", p, p.Split(text))
	}
	// Output:
	// gpt2   ["CamelCase" ":" " DON" "'" "T" " run" " 12345" " tasks" "!" "\n " " ok"]
	// cl100k ["CamelCase" ":" " DON" "'T" " run" " " "123" "45" " tasks" "!\n" " " " ok"]
	// o200k  ["Camel" "Case" ":" " DON'T" " run" " " "123" "45" " tasks" "!\n" " " " ok"]
}
