package sample_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/tick-llm/tick/transformer/sample"
)

func Example() {
	// Next-token logits from a model over a 5-token vocabulary.
	logits := []float64{2.0, 1.0, 0.5, -1.0, 3.0}

	greedy, err := sample.Draw(logits, sample.Options{Temperature: 0, TopP: 1}, nil, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d: %s (entropy %.2f bits)\n", greedy.Chosen.ID, greedy.Chosen.Reason, greedy.Entropy)

	rng := rand.New(rand.NewPCG(1, 2)) // seeded: the same seed, the same text
	opts := sample.Options{Temperature: 0.8, TopK: 3, TopP: 0.9}
	step, err := sample.Draw(logits, opts, rng, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d: %s with p=%.3f; %d kept, holding %.3f of the probability\n",
		step.Chosen.ID, step.Chosen.Reason, step.Chosen.Prob, step.Kept, step.KeptMass)
	for _, c := range step.Top {
		fmt.Printf("  id %d  p=%.3f  final=%.3f  %s\n", c.ID, c.Prob, c.Final, c.Reason)
	}

	fmt.Println(sample.Options{Temperature: 1, TopP: 0}.Validate())
	// Output:
	// 4: greedy (entropy 1.51 bits)
	// 4: sampled with p=0.777; 2 kept, holding 0.906 of the probability
	//   id 4  p=0.705  final=0.777  kept
	//   id 0  p=0.202  final=0.223  kept
	//   id 1  p=0.058  final=0.000  cut by top-p
	//   id 2  p=0.031  final=0.000  cut by top-k
	// sample: TopP 0 is out of range: it must be in (0, 1]
}
