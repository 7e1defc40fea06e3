// Command align runs the whole alignment pipeline of package align on run
// folders, the way the tick align commands do, in a few minutes on 2
// cores: a byte-level GPT pretrained on Newton's Opticks (the base), SFT
// on the task's demonstrations, preference pairs sampled from the SFT
// model and ranked by a programmatic judge (standing in for human
// raters), a Bradley–Terry reward model, RLHF (PPO with a value model and
// a per-token KL penalty, or -rl reinforce) and DPO; then one table on
// held-out prompts. Each stage's run folder (out/align/sft, ...) has its
// metrics.jsonl and loss.png, and loads with tick generate --model.
//
//	go run ./demos/align [-seed 1] [-out out/align]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tick-llm/tick/align"
)

func main() {
	seed := flag.Uint64("seed", 1, "seed of the models, batches and samples")
	out := flag.String("out", "out/align", "folder of every stage's run (an earlier demo run there is replaced)")
	base := flag.String("base", "", "byte-level tick train run to start from (default: pretrain one on Opticks)")
	pretrain := flag.Int("pretrain-steps", align.DefaultPretrain, "steps of the base's pretraining")
	p := align.DefaultPipeline(1)
	flag.Float64Var(&p.RL.LR, "rl-lr", p.RL.LR, "RL learning rate")
	flag.Float64Var(&p.DPO.LR, "dpo-lr", p.DPO.LR, "DPO learning rate")
	flag.Float64Var(&p.RL.KLCoef, "kl", p.RL.KLCoef, "RL KL coefficient")
	flag.StringVar(&p.RL.Algorithm, "rl", align.AlgoPPO, "RL algorithm: ppo, or reinforce")
	flag.Float64Var(&p.Beta, "beta", p.Beta, "DPO β")
	flag.IntVar(&p.SFT.Steps, "sft-steps", p.SFT.Steps, "SFT steps")
	flag.IntVar(&p.Samples, "samples", p.Samples, "replies sampled per prompt for preference pairs")
	flag.IntVar(&p.Reward.Steps, "reward-steps", p.Reward.Steps, "reward model steps")
	flag.IntVar(&p.RL.Steps, "rl-steps", p.RL.Steps, "RL iterations")
	flag.IntVar(&p.DPO.Steps, "dpo-steps", p.DPO.Steps, "DPO steps")
	synthetic := flag.Int("synthetic", align.DefaultSynthetic, "made-up words SFT practises the word tasks on")
	flag.Parse()
	p.Seed, p.SFT.Seed, p.Reward.Seed, p.RL.Seed, p.DPO.Seed = *seed, *seed, *seed, *seed, *seed
	f := align.FolderRun{Pipeline: p, Task: align.Task{HeldOut: p.HeldOut, SplitSeed: 1, Synthetic: *synthetic}, Base: *base, Pretrain: *pretrain,
		Out: *out, Progress: os.Stderr, Command: "go run ./demos/align"}
	if err := f.Clear(); err != nil {
		fmt.Fprintln(os.Stderr, "align:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	t0 := time.Now()
	res, err := f.Run(ctx, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "align:", err)
		os.Exit(1)
	}
	res.Table(os.Stdout)
	fmt.Printf("\nreward model: held-out pair accuracy %.3f on %d pairs; %d training pairs\n", res.RewardAcc, res.HeldOutPair, res.Pairs)
	fmt.Printf("run folders in %s (metrics.jsonl and loss.png in each); %.0fs in all\n", *out, time.Since(t0).Seconds())
}
