package sample_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/tick-llm/tick/transformer/sample"
)

func Example() {
	// Next-token logits from a model over a 5-token vocabulary.
	logits := []float64{2.0, 1.0, 0.5, -1.0, 3.0}

	greedy := sample.Next(logits, sample.Options{Temperature: 0, TopP: 1}, nil, 3)
	fmt.Printf("%d: %s (entropy %.2f bits)\n", greedy.Chosen, greedy.Reason, greedy.Entropy)

	rng := rand.New(rand.NewPCG(1, 2)) // seeded: the same seed, the same text
	opts := sample.Options{Temperature: 0.8, TopK: 3, TopP: 0.9}
	if err := opts.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	step := sample.Next(logits, opts, rng, 4)
	fmt.Printf("%d: %s\n", step.Chosen, step.Reason)
	for _, c := range step.Top {
		fmt.Printf("  id %d  p=%.3f  final=%.3f", c.ID, c.Prob, c.Final)
		if !c.Kept {
			fmt.Print("  ", c.Reason)
		}
		fmt.Println()
	}

	fmt.Println(sample.Options{Temperature: 1, TopP: 0}.Validate())
	// Output:
	// 4: greedy: most likely (entropy 1.51 bits)
	// 4: sampled (p=0.777)
	//   id 4  p=0.705  final=0.777
	//   id 0  p=0.202  final=0.223
	//   id 1  p=0.058  final=0.000  cut by top-p
	//   id 2  p=0.031  final=0.000  cut by top-k
	// --top-p must be in (0, 1]; got 0
}
