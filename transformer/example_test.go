package transformer_test

import (
	"fmt"
	"math"

	"github.com/tick-llm/tick/transformer"
)

// A fresh model knows nothing: its next-token distribution is nearly
// uniform, so its cross-entropy is close to ln(vocabulary size).
func Example() {
	cfg, err := transformer.Preset("llama")
	if err != nil {
		panic(err)
	}
	m, err := transformer.New(cfg, 42)
	if err != nil {
		panic(err)
	}
	ids := []int{72, 101, 108, 108, 111, 44, 32, 119} // "Hello, w" as bytes
	targets := []int{101, 108, 108, 111, 44, 32, 119, 111}
	loss, err := m.Forward(ids, targets, 1, len(ids))
	if err != nil {
		panic(err)
	}
	// 2 embedding-sized matrices (input and untied head, 256 x 128), the
	// final norm (128), and 4 layers of: 2 norms (2 x 128), q and o
	// (128 x 128 each), k and v (64 x 128 each: 2 KV heads of 32), gate,
	// up and down (128 x 352 each): 2·32768 + 128 + 4·184576 = 803968.
	fmt.Printf("%d parameters\n", m.NumParams())
	fmt.Printf("loss within 0.1 of ln(%d) = %.3f: %v\n", cfg.VocabSize, math.Log(256), math.Abs(loss-math.Log(256)) < 0.1)
	fmt.Println("logits:", m.Logits().RawMatrix().Rows, "x", m.Logits().RawMatrix().Cols)
	// Output:
	// 803968 parameters
	// loss within 0.1 of ln(256) = 5.545: true
	// logits: 8 x 256
}

// Generation feeds one token at a time through a cache of keys and values;
// the logits equal those of a full Forward over the same prefix.
func ExampleCache() {
	cfg, _ := transformer.Preset("gpt")
	m, _ := transformer.New(cfg, 1)
	ids := []int{1, 2, 3}
	m.Forward(ids, nil, 1, len(ids))
	full := m.Logits().RawRowView(2)

	c := m.NewCache()
	var logits []float64
	for _, id := range ids {
		logits, _ = c.Push(id)
	}
	diff := 0.0
	for i := range logits {
		diff = math.Max(diff, math.Abs(logits[i]-full[i]))
	}
	fmt.Println("cached tokens:", c.Len(), "largest difference below 1e-12:", diff < 1e-12)
	// Output:
	// cached tokens: 3 largest difference below 1e-12: true
}
