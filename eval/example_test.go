package eval_test

import (
	"fmt"

	"github.com/tick-llm/tick/eval"
)

// Bits per byte divides the total loss, converted to bits, by the bytes of
// text predicted: 100 tokens at 1.5 nats each over 400 bytes of text.
func ExampleLossStats() {
	s := eval.LossStats{Nats: 150, Tokens: 100, Bytes: 400}
	fmt.Printf("loss %.2f nats/token, perplexity %.2f, %.4f bits/byte\n", s.Loss(), s.Perplexity(), s.BitsPerByte())
	// Output:
	// loss 1.50 nats/token, perplexity 4.48, 0.5410 bits/byte
}
