package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tick-llm/tick/align"
)

// The stages of tick align as commands, each reading the run folders of
// the stages before it and writing its own (align.RunStage): a progress
// bar, metrics.jsonl, loss.png, checkpoints, Ctrl-C and --resume.

// alignStages are the subcommands of tick align.
var alignStages = map[string]func(args []string) error{
	"sft": alignSFT, "pairs": alignPairs, "reward": alignReward, "rlhf": alignRLHF,
	"dpo": alignDPO, "eval": alignEval, "all": alignAll,
}

const alignStagesUsage = "Stages, each into its own run folder (tick align STAGE -h for more):\n" +
	"  tick align sft    --model BASE_RUN --out DIR       instruction tuning\n" +
	"  tick align pairs  --model SFT_RUN --out FILE       sample, rank by judge\n" +
	"  tick align reward --model SFT_RUN --pairs FILE --out DIR\n" +
	"  tick align rlhf   --model SFT_RUN --reward RM_DIR --out DIR\n" +
	"  tick align dpo    --model SFT_RUN --pairs FILE --beta B --out DIR\n" +
	"  tick align eval   --sft SFT_RUN [NAME=RUN ...]     the held-out table\n" +
	"  tick align all    --out DIR                        all of them in DIR"

// alignDefaults is the pipeline whose budgets the stages' flags default to.
var alignDefaults = align.DefaultPipeline(1)

// stageCmd holds the flags every training stage has.
type stageCmd struct {
	name   string
	fs     *flag.FlagSet
	model  *string
	out    *string
	resume *bool
	every  *int
	task   align.Task
	plan   align.Plan
	args   []string
}

func newStageCmd(name, usage, modelHelp string, plan align.Plan) *stageCmd {
	c := &stageCmd{name: name, plan: plan}
	c.fs = newFlags("tick align "+name, usage)
	c.model = c.fs.String("model", "", modelHelp)
	c.out = c.fs.String("out", "", "run `folder` to write (a new one, or with --resume this one)")
	c.resume = c.fs.Bool("resume", false, "continue the run in --out from its last checkpoint")
	c.every = c.fs.Int("every", 50, "steps between checkpoints")
	c.fs.IntVar(&c.plan.Steps, "steps", plan.Steps, "optimiser steps")
	c.fs.IntVar(&c.plan.Batch, "batch", plan.Batch, "examples per step")
	c.fs.Float64Var(&c.plan.LR, "lr", plan.LR, "peak learning rate (warmup, then cosine to lr/10)")
	c.fs.Uint64Var(&c.plan.Seed, "seed", plan.Seed, "seed of the batches and samples")
	addTaskFlags(c.fs, &c.task)
	return c
}

// addTaskFlags adds the split every stage must share.
func addTaskFlags(fs *flag.FlagSet, t *align.Task) {
	t.HeldOut, t.SplitSeed = alignDefaults.HeldOut, 1
	fs.IntVar(&t.HeldOut, "held-out", t.HeldOut, "instructions kept apart, never trained on")
	fs.Uint64Var(&t.SplitSeed, "split-seed", t.SplitSeed, "seed of the held-out split (the same for every stage)")
}

// parse reads the flags and checks them: one line naming the flag.
func (c *stageCmd) parse(args []string) error {
	c.args = args
	pos, err := parseArgs(c.fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: tick align %s takes flags only", pos[0], c.name)
	}
	if *c.model == "" {
		return fmt.Errorf("tick align %s: no --model given: name the run to start from", c.name)
	}
	if *c.out == "" {
		return fmt.Errorf("tick align %s: no --out given: name a new folder for the run", c.name)
	}
	return checkPlanFlags(c.plan, *c.every)
}

// checkPlanFlags refuses a budget out of range.
func checkPlanFlags(p align.Plan, every int) error {
	for _, f := range []struct {
		name string
		n    int
	}{{"--steps", p.Steps}, {"--batch", p.Batch}, {"--every", every}} {
		if f.n < 1 {
			return fmt.Errorf("%s %d is out of range: it must be at least 1", f.name, f.n)
		}
	}
	if !(p.LR > 0) || math.IsInf(p.LR, 0) {
		return fmt.Errorf("--lr %g is out of range: it must be positive, e.g. 1e-3", p.LR)
	}
	return nil
}

// options is the RunOptions of the stage, with Ctrl-C's context.
func (c *stageCmd) options() align.RunOptions {
	cmd := "tick align " + c.name + " " + strings.Join(withoutResume(c.args), " ")
	return align.RunOptions{Out: *c.out, Resume: *c.resume, Every: *c.every, Progress: os.Stderr, Command: strings.TrimSpace(cmd)}
}

func withoutResume(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "--resume" && a != "-resume" && a != "--resume=true" {
			out = append(out, a)
		}
	}
	return out
}

// interruptible is a context Ctrl-C (or SIGTERM) cancels; a second Ctrl-C
// kills at once.
func interruptible() (context.Context, func()) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

// finished says where a stage's run is.
func finished(name, out string, err error) error {
	if err != nil {
		return err
	}
	fmt.Printf("%s: done; run folder %s (last/, metrics.jsonl, loss.png)\n", name, out)
	return nil
}

func alignSFT(args []string) error {
	c := newStageCmd("sft", "Usage: tick align sft --model BASE_RUN --out DIR [flags]\n\n"+
		"Supervised fine-tuning: the base (a byte-level tick train run, e.g.\n"+
		"tick train --tokenizer byte --context 32; the role tokens are added as\n"+
		"new rows) learns the task's demonstrations, the loss on reply tokens only.",
		"base `run`: a byte-level tick train run", alignDefaults.SFT)
	c.fs.IntVar(&c.task.Synthetic, "synthetic", align.DefaultSynthetic, "made-up words to practise the word tasks on too")
	if err := c.parse(args); err != nil {
		return err
	}
	if c.task.Synthetic < 0 {
		return fmt.Errorf("--synthetic %d is out of range: it must be at least 0", c.task.Synthetic)
	}
	sftSet, err := c.task.SFTSet()
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	return finished("sft", *c.out, align.SFTRun(ctx, *c.model, sftSet, c.plan, c.options()))
}

func alignPairs(args []string) error {
	fs := newFlags("tick align pairs", "Usage: tick align pairs --model SFT_RUN --out FILE [flags]\n\n"+
		"Preference pairs: samples replies of the SFT model to each prompt and\n"+
		"keeps the judge's best and worst when they differ. The judge is a program\n"+
		"standing in for human raters. Writes JSON lines:\n"+
		`{"prompt":"reverse cat","answer":"tac","chosen":"tac","rejected":"sure, tac"}`)
	model := fs.String("model", "", "SFT `run` to sample from")
	out := fs.String("out", "", "pairs `file` to write (JSON lines; must not exist)")
	samples := fs.Int("samples", alignDefaults.Samples, "replies sampled per prompt")
	seed := fs.Uint64("seed", 1, "seed of the samples")
	prompts := fs.String("prompts", "train", "`set`: train, or held-out (to test a reward model)")
	var task align.Task
	addTaskFlags(fs, &task)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return fmt.Errorf("unexpected argument %q: tick align pairs takes flags only", pos[0])
	case *model == "":
		return fmt.Errorf("tick align pairs: no --model given: name the SFT run to sample from")
	case *out == "":
		return fmt.Errorf("tick align pairs: no --out given: name the pairs file to write, e.g. pairs.jsonl")
	case *samples < 2:
		return fmt.Errorf("--samples %d is out of range: a pair needs at least 2 replies to compare", *samples)
	case *prompts != "train" && *prompts != "held-out":
		return fmt.Errorf("--prompts %q: want train or held-out", *prompts)
	}
	if _, err := os.Lstat(*out); err == nil {
		return fmt.Errorf("%s exists: tick align pairs does not overwrite a file; give a new --out or remove it", *out)
	}
	trainSet, testSet, err := task.Sets()
	if err != nil {
		return err
	}
	ins := trainSet
	if *prompts == "held-out" {
		ins = testSet
	}
	pairs, err := align.PairsRun(*model, ins, *samples, *seed, os.Stderr)
	if err != nil {
		return err
	}
	if len(pairs) == 0 {
		return fmt.Errorf("no pairs: every prompt's %d samples scored alike; raise --samples", *samples)
	}
	if err := align.WritePairsFile(*out, pairs); err != nil {
		return err
	}
	fmt.Printf("pairs: %d from %d prompts (%d samples each) -> %s\n", len(pairs), len(ins), *samples, *out)
	return nil
}

func alignReward(args []string) error {
	c := newStageCmd("reward", "Usage: tick align reward --model SFT_RUN --pairs FILE --out DIR [flags]\n\n"+
		"A reward model: the SFT model with a scalar head on the last token,\n"+
		"trained on preference pairs with the Bradley-Terry loss\n"+
		"-log sigmoid(r_chosen - r_rejected).",
		"SFT `run` to start from", alignDefaults.Reward)
	pairsFile := c.fs.String("pairs", "", "preference pairs `file` (tick align pairs)")
	testPairs := c.fs.String("test-pairs", "", "held-out pairs `file` to report the accuracy on")
	if err := c.parse(args); err != nil {
		return err
	}
	if *pairsFile == "" {
		return fmt.Errorf("tick align reward: no --pairs given: write them with tick align pairs")
	}
	pairs, err := align.ReadPairs(*pairsFile)
	if err != nil {
		return err
	}
	var held []align.Pair
	if *testPairs != "" {
		if held, err = align.ReadPairs(*testPairs); err != nil {
			return err
		}
	}
	ctx, stop := interruptible()
	defer stop()
	rm, err := align.RewardRun(ctx, *c.model, pairs, c.plan, c.options())
	if err != nil {
		return err
	}
	acc, err := rm.PairAccuracy(pairs)
	if err != nil {
		return err
	}
	fmt.Printf("reward model: pair accuracy %.3f on its %d training pairs\n", acc, len(pairs))
	if held != nil {
		if acc, err = rm.PairAccuracy(held); err != nil {
			return err
		}
		fmt.Printf("reward model: pair accuracy %.3f on %d held-out pairs\n", acc, len(held))
	}
	return finished("reward", *c.out, nil)
}

func alignRLHF(args []string) error {
	rl := alignDefaults.RL
	c := newStageCmd("rlhf", "Usage: tick align rlhf --model SFT_RUN --reward RM_DIR --out DIR [flags]\n\n"+
		"RL from the reward model's scores with a per-token KL penalty towards the\n"+
		"SFT model: PPO with a value model and GAE (as InstructGPT), or\n"+
		"--rl reinforce (REINFORCE with a batch-mean baseline).",
		"SFT `run`: the policy starts as it, the KL is measured against it", rl.Plan)
	reward := c.fs.String("reward", "", "reward model `run` (tick align reward)")
	c.fs.Float64Var(&rl.KLCoef, "kl", rl.KLCoef, "KL penalty coefficient (at least 0)")
	c.fs.StringVar(&rl.Algorithm, "rl", align.AlgoPPO, "`algorithm`: ppo, or reinforce")
	c.fs.IntVar(&rl.PPOEpochs, "ppo-epochs", 0, "PPO's passes over each batch (0: its default)")
	if err := c.parse(args); err != nil {
		return err
	}
	rl.Plan = c.plan
	switch {
	case *reward == "":
		return fmt.Errorf("tick align rlhf: no --reward given: train one with tick align reward")
	case !(rl.KLCoef >= 0) || math.IsInf(rl.KLCoef, 0):
		return fmt.Errorf("--kl %g is out of range: it must be at least 0, e.g. 0.1", rl.KLCoef)
	case rl.Algorithm != align.AlgoPPO && rl.Algorithm != align.AlgoREINFORCE:
		return fmt.Errorf("--rl %q: want ppo or reinforce", rl.Algorithm)
	case rl.PPOEpochs < 0:
		return fmt.Errorf("--ppo-epochs %d is out of range: it must be at least 0", rl.PPOEpochs)
	}
	trainSet, _, err := c.task.Sets()
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	return finished("rlhf", *c.out, align.RLHFRun(ctx, *c.model, *reward, trainSet, rl, c.options()))
}

func alignDPO(args []string) error {
	c := newStageCmd("dpo", "Usage: tick align dpo --model SFT_RUN --pairs FILE --beta B --out DIR [flags]\n\n"+
		"Direct preference optimisation on the pairs against the frozen SFT model:\n"+
		"L = -log sigmoid(beta*((log pi(c) - log ref(c)) - (log pi(r) - log ref(r)))),\n"+
		"ln 2 at the start; the implicit reward margin is logged.",
		"SFT `run`: the policy starts as it and it is the reference", alignDefaults.DPO)
	pairsFile := c.fs.String("pairs", "", "preference pairs `file` (tick align pairs)")
	beta := c.fs.Float64("beta", alignDefaults.Beta, "DPO's β (positive)")
	if err := c.parse(args); err != nil {
		return err
	}
	if !(*beta > 0) || math.IsInf(*beta, 0) {
		return fmt.Errorf("--beta %g is out of range: it must be positive, e.g. 0.1", *beta)
	}
	if *pairsFile == "" {
		return fmt.Errorf("tick align dpo: no --pairs given: write them with tick align pairs")
	}
	pairs, err := align.ReadPairs(*pairsFile)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	return finished("dpo", *c.out, align.DPORun(ctx, *c.model, pairs, *beta, c.plan, c.options()))
}

func alignEval(args []string) error {
	fs := newFlags("tick align eval", "Usage: tick align eval --sft SFT_RUN [NAME=RUN | RUN ...]\n\n"+
		"The table on held-out prompts: for each run its judge score, win rate\n"+
		"against the SFT run, task accuracy and KL from the SFT run, and two\n"+
		"sample replies. A RUN without NAME= is named after its folder.")
	sft := fs.String("sft", "", "SFT `run`: the reference for win rate and KL")
	seed := fs.Uint64("seed", 1, "seed of the replies sampled for the KL")
	var task align.Task
	addTaskFlags(fs, &task)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *sft == "" {
		return fmt.Errorf("tick align eval: no --sft given: name the SFT run to compare against")
	}
	runs := []align.NamedRun{{Name: "SFT", Dir: *sft}}
	for _, a := range pos {
		name, dir, ok := strings.Cut(a, "=")
		if !ok {
			name, dir = filepath.Base(filepath.Clean(a)), a
		}
		if name == "" || dir == "" {
			return fmt.Errorf("run %q: give NAME=RUN or RUN", a)
		}
		runs = append(runs, align.NamedRun{Name: name, Dir: dir})
	}
	_, testSet, err := task.Sets()
	if err != nil {
		return err
	}
	res, err := align.EvaluateRuns(*sft, runs, testSet, *seed)
	if err != nil {
		return err
	}
	res.Table(os.Stdout)
	return nil
}

func alignAll(args []string) error {
	p := alignDefaults
	fs := newFlags("tick align all", "Usage: tick align all --out DIR [--base RUN] [flags]\n\n"+
		"The whole pipeline into DIR: base/ (pretrained on Newton's Opticks when\n"+
		"no --base is given), sft/, pairs.jsonl, reward/, rlhf/, dpo/, then the\n"+
		"held-out table (also in DIR/table.txt). Ctrl-C stops; --resume continues.")
	out := fs.String("out", "", "`folder` for every stage's run")
	base := fs.String("base", "", "byte-level tick train `run` to start from (default: pretrain one)")
	pretrain := fs.Int("pretrain-steps", align.DefaultPretrain, "steps of the base's pretraining on Opticks")
	resume := fs.Bool("resume", false, "continue the pipeline in --out")
	seed := fs.Uint64("seed", 1, "seed of the models, batches and samples")
	fs.Float64Var(&p.Beta, "beta", p.Beta, "DPO's β (positive)")
	fs.Float64Var(&p.RL.KLCoef, "kl", p.RL.KLCoef, "RL's KL penalty coefficient (at least 0)")
	fs.StringVar(&p.RL.Algorithm, "rl", align.AlgoPPO, "RL `algorithm`: ppo, or reinforce")
	fs.IntVar(&p.SFT.Steps, "sft-steps", p.SFT.Steps, "SFT steps")
	fs.IntVar(&p.Reward.Steps, "reward-steps", p.Reward.Steps, "reward model steps")
	fs.IntVar(&p.RL.Steps, "rl-steps", p.RL.Steps, "RL iterations")
	fs.IntVar(&p.DPO.Steps, "dpo-steps", p.DPO.Steps, "DPO steps")
	var task align.Task
	addTaskFlags(fs, &task)
	fs.IntVar(&task.Synthetic, "synthetic", align.DefaultSynthetic, "made-up words SFT practises the word tasks on")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return fmt.Errorf("unexpected argument %q: tick align all takes flags only", pos[0])
	case task.Synthetic < 0:
		return fmt.Errorf("--synthetic %d is out of range: it must be at least 0", task.Synthetic)
	case *out == "":
		return fmt.Errorf("tick align all: no --out given: name a folder for the stages' runs")
	case !(p.Beta > 0) || math.IsInf(p.Beta, 0):
		return fmt.Errorf("--beta %g is out of range: it must be positive, e.g. 0.1", p.Beta)
	case !(p.RL.KLCoef >= 0) || math.IsInf(p.RL.KLCoef, 0):
		return fmt.Errorf("--kl %g is out of range: it must be at least 0, e.g. 0.1", p.RL.KLCoef)
	case p.RL.Algorithm != align.AlgoPPO && p.RL.Algorithm != align.AlgoREINFORCE:
		return fmt.Errorf("--rl %q: want ppo or reinforce", p.RL.Algorithm)
	case *base == "" && *pretrain < 1:
		return fmt.Errorf("--pretrain-steps %d is out of range: it must be at least 1 (or give --base)", *pretrain)
	}
	for _, s := range []struct {
		name string
		n    int
	}{{"--sft-steps", p.SFT.Steps}, {"--reward-steps", p.Reward.Steps}, {"--rl-steps", p.RL.Steps}, {"--dpo-steps", p.DPO.Steps}} {
		if s.n < 1 {
			return fmt.Errorf("%s %d is out of range: it must be at least 1", s.name, s.n)
		}
	}
	p.Seed, p.SFT.Seed, p.Reward.Seed, p.RL.Seed, p.DPO.Seed = *seed, *seed, *seed, *seed, *seed
	f := align.FolderRun{Pipeline: p, Task: task, Base: *base, Pretrain: *pretrain, Out: *out, Resume: *resume,
		Progress: os.Stderr, Command: "tick align all " + strings.Join(withoutResume(args), " ")}
	ctx, stop := interruptible()
	defer stop()
	res, err := f.Run(ctx, os.Stdout)
	if err != nil {
		return err
	}
	res.Table(os.Stdout)
	return nil
}
