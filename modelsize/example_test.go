package modelsize_test

import (
	"fmt"

	"github.com/tick-llm/tick/modelsize"
)

// Llama 3 8B: where its 8 billion parameters are, and what they cost.
func ExampleMeasure() {
	s, err := modelsize.Preset("llama3-8b")
	if err != nil {
		panic(err)
	}
	r := modelsize.Measure(s)
	fmt.Println("parameters:", r.Parameters)
	fmt.Println("MLP share:", 100*r.Counts.MLP/r.Parameters, "%")
	fmt.Println("bf16 GiB:", r.BytesBF16>>30)
	fmt.Println("KV KiB per token:", r.KVBytesPerToken>>10)
	// Output:
	// parameters: 8030261248
	// MLP share: 70 %
	// bf16 GiB: 14
	// KV KiB per token: 128
}
