package tokenizer_test

import (
	"fmt"

	"github.com/tick-llm/tick/tokenizer"
)

func Example() {
	enc, err := tokenizer.Get("cl100k_base")
	if err != nil {
		panic(err)
	}
	ids, err := enc.Encode("hello world", tokenizer.SpecialRaise)
	if err != nil {
		panic(err)
	}
	fmt.Println(ids)
	for _, id := range ids {
		b, _ := enc.TokenBytes(id)
		fmt.Printf("%d %q\n", id, b)
	}
	text, err := enc.Decode(ids)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(text))
	// Output:
	// [15339 1917]
	// 15339 "hello"
	// 1917 " world"
	// hello world
}

func ExampleEncoding_Encode_special() {
	enc, _ := tokenizer.Get("cl100k_base")
	_, err := enc.Encode("hello <|endoftext|>", tokenizer.SpecialRaise)
	fmt.Println(err != nil)
	ids, _ := enc.Encode("hello <|endoftext|>", tokenizer.SpecialAllow)
	fmt.Println(ids) // as in tiktoken's tests/test_simple_public.py
	// Output:
	// true
	// [15339 220 100257]
}
