package align

// A Stage is one stage of the alignment pipeline (SFT, the reward model,
// RLHF, DPO) run one optimiser step at a time, so that a command can show
// progress, write metrics, save checkpoints, stop on Ctrl-C and resume the
// way `tick train` does.
//
// Step(i) depends only on the state Save writes and on i: a stage draws a
// step's randomness (batches, sampled replies) from a generator seeded by
// its seed and i, never from a generator carried across steps, so a run
// resumed from a checkpoint equals one that was never interrupted.
type Stage interface {
	// Name is the stage's name in commands, metrics and folders: "sft",
	// "reward", "rlhf" or "dpo".
	Name() string
	// Steps is the number of optimiser steps of the whole stage.
	Steps() int
	// Step makes optimiser step i (0 ≤ i < Steps()) and returns the
	// figures to log for it (loss, reward, kl, clip ...).
	Step(i int) (figures map[string]float64, err error)
	// Save writes into the folder dir every weight the stage trains and
	// every optimiser moment, so that Load can continue exactly.
	Save(dir string) error
	// Load reads back what Save wrote into dir.
	Load(dir string) error
}
