package tiktokenref

import (
	"slices"
	"testing"
)

// The published example of OpenAI's tiktoken README: "hello world" is
// [15339, 1917] in cl100k_base. This only checks that the reference loads
// the right rank data offline; tick's tokenizer tests do the real work.
func TestLoadsOfflineRankData(t *testing.T) {
	ids, err := EncodeOrdinary("cl100k_base", "hello world")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []int{15339, 1917}) {
		t.Fatalf("cl100k_base(\"hello world\") = %v, want [15339 1917] (tiktoken's README)", ids)
	}
	for _, name := range Encodings {
		if _, err := Get(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
