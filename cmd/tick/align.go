package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tick-llm/tick/align"
	"github.com/tick-llm/tick/internal/atomicfile"
)

func init() {
	commands["align"] = command{
		summary: "run SFT, a reward model, RL and DPO on a toy instruction task",
		run:     runAlignCmd,
	}
}

func runAlign(args []string) error {
	fs := newFlags("tick align", "Usage: tick align [--seed N] [--beta B] [--kl C] [--rl ppo|reinforce]\n                  [--metrics FILE]\n\n"+
		"The whole alignment pipeline on one small model: SFT on generated\n"+
		"instructions, preference pairs ranked by a programmatic judge (standing in\n"+
		"for human raters), a Bradley-Terry reward model, RL with a per-token KL\n"+
		"penalty (PPO with a value model and GAE, as InstructGPT; or --rl reinforce:\n"+
		"REINFORCE with a batch-mean baseline, no value model) and DPO; then a table\n"+
		"on held-out prompts, all in memory.\n\n"+
		alignStagesUsage)
	p := align.DefaultPipeline(1)
	seed := fs.Uint64("seed", 1, "seed of the model, split, batches and samples")
	fs.Float64Var(&p.Beta, "beta", p.Beta, "DPO's β (positive)")
	fs.Float64Var(&p.RL.KLCoef, "kl", p.RL.KLCoef, "RL's KL penalty coefficient (at least 0)")
	fs.StringVar(&p.RL.Algorithm, "rl", align.AlgoPPO, "RL `algorithm`: ppo, or reinforce (with a baseline)")
	fs.IntVar(&p.RL.PPOEpochs, "ppo-epochs", 4, "PPO's passes over each batch of samples (at least 1)")
	fs.IntVar(&p.SFT.Steps, "sft-steps", p.SFT.Steps, "SFT steps")
	fs.IntVar(&p.RL.Steps, "rl-steps", p.RL.Steps, "RL steps")
	fs.IntVar(&p.DPO.Steps, "dpo-steps", p.DPO.Steps, "DPO steps")
	metrics := fs.String("metrics", "", "write every step's figures to this `file` (JSON lines)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: tick align takes flags only; give e.g. --seed 2", pos[0])
	}
	if !(p.Beta > 0) {
		return fmt.Errorf("--beta %g is out of range: it must be positive, e.g. 0.1", p.Beta)
	}
	if !(p.RL.KLCoef >= 0) {
		return fmt.Errorf("--kl %g is out of range: it must be at least 0, e.g. 0.05", p.RL.KLCoef)
	}
	for _, s := range []struct {
		name string
		n    int
	}{{"--sft-steps", p.SFT.Steps}, {"--rl-steps", p.RL.Steps}, {"--dpo-steps", p.DPO.Steps}, {"--ppo-epochs", p.RL.PPOEpochs}} {
		if s.n < 1 {
			return fmt.Errorf("%s %d is out of range: it must be at least 1", s.name, s.n)
		}
	}
	if p.RL.Algorithm != align.AlgoPPO && p.RL.Algorithm != align.AlgoREINFORCE {
		return fmt.Errorf("--rl %q: want ppo or reinforce", p.RL.Algorithm)
	}
	p.Seed, p.SFT.Seed, p.Reward.Seed, p.RL.Seed, p.DPO.Seed = *seed, *seed, *seed, *seed, *seed
	res, err := p.Run(os.Stdout)
	if err != nil {
		return err
	}
	res.Table(os.Stdout)
	if *metrics != "" {
		if err := atomicfile.Write(filepath.Clean(*metrics), func(w io.Writer) error { return res.WriteMetrics(w) }); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
	}
	return nil
}
