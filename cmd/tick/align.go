package main

import (
	"fmt"
	"strings"
)

func init() {
	commands["align"] = command{
		summary: "run SFT, a reward model, RL and DPO on a toy instruction task",
		run:     runAlignCmd,
	}
}

// alignUsage is tick align's overview: what the stages are and how to run
// them, one at a time or all together.
const alignUsage = "Usage: tick align STAGE [flags]\n\n" +
	"From text predictor to assistant on one small model: SFT on generated\n" +
	"instructions, preference pairs ranked by a programmatic judge (standing in\n" +
	"for human raters), a Bradley-Terry reward model, RL with a per-token KL\n" +
	"penalty (PPO with a value model and GAE, as InstructGPT; or --rl reinforce:\n" +
	"REINFORCE with a batch-mean baseline, no value model) and DPO; then a table\n" +
	"on held-out prompts.\n\n" +
	alignStagesUsage

// runAlignCmd is tick align: it runs the stage its first argument names.
func runAlignCmd(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Println(alignUsage)
		if len(args) == 0 {
			return fmt.Errorf("tick align needs a stage: give one of sft, pairs, reward, rlhf, dpo, eval, all (e.g. tick align all --out runs/align)")
		}
		return nil
	}
	if strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("tick align needs a stage before its flags: give one of sft, pairs, reward, rlhf, dpo, eval, all (e.g. tick align all --out runs/align %s)", strings.Join(args, " "))
	}
	run, ok := alignStages[args[0]]
	if !ok {
		return fmt.Errorf("unknown stage %q: give one of sft, pairs, reward, rlhf, dpo, eval, all (tick align -h lists them)", args[0])
	}
	return run(args[1:])
}
