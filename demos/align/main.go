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
	p := align.DefaultPipeline(1)
	flag.Float64Var(&p.RL.LR, "rl-lr", p.RL.LR, "RL learning rate")
	flag.Float64Var(&p.DPO.LR, "dpo-lr", p.DPO.LR, "DPO learning rate")
	flag.Float64Var(&p.RL.KLCoef, "kl", p.RL.KLCoef, "RL KL coefficient")
	flag.Float64Var(&p.Beta, "beta", p.Beta, "DPO β")
	flag.IntVar(&p.SFT.Steps, "sft-steps", p.SFT.Steps, "SFT steps")
	flag.IntVar(&p.Samples, "samples", p.Samples, "replies sampled per prompt for preference pairs")
	flag.IntVar(&p.Reward.Steps, "reward-steps", p.Reward.Steps, "reward model steps")
	flag.IntVar(&p.RL.Steps, "rl-steps", p.RL.Steps, "RL steps")
	flag.IntVar(&p.DPO.Steps, "dpo-steps", p.DPO.Steps, "DPO steps")
	flag.IntVar(&p.RL.PPOEpochs, "ppo-epochs", 0, "RL by PPO's clipped surrogate, this many epochs per batch (0: REINFORCE)")
	flag.Parse()
	p.Seed, p.SFT.Seed, p.Reward.Seed, p.RL.Seed, p.DPO.Seed = *seed, *seed, *seed, *seed, *seed
	res, err := p.Run(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "align:", err)
		os.Exit(1)
	}
	res.Table(os.Stdout)
}
