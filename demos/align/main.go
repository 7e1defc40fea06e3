// Command align runs the whole alignment pipeline of package align on one
// small model in a few minutes on 2 cores: SFT of a fresh model on the
// task's demonstrations, preference pairs sampled from it and ranked by a
// programmatic judge, a Bradley–Terry reward model, RL (REINFORCE with a
// baseline and a KL penalty, not PPO) and DPO; then one table on held-out
// prompts.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tick-llm/tick/align"
)

func main() {
	seed := flag.Uint64("seed", 1, "seed of the model, split, batches and samples")
	flag.Parse()
	res, err := align.DefaultPipeline(*seed).Run(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "align:", err)
		os.Exit(1)
	}
	res.Table(os.Stdout)
}
