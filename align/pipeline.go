package align

import (
	"fmt"
	"io"
	"strings"
)

// Pipeline is the whole alignment run's configuration.
type Pipeline struct {
	Sizes   Sizes
	HeldOut int    // prompts kept apart for the table
	Seed    uint64 // model, split, batches, samples
	SFT     Plan
	Samples int // replies sampled per training prompt for preference pairs
	Reward  Plan
	RL      RLPlan
	DPO     Plan
	Beta    float64 // DPO's β
	// Every is the number of steps between a stage's checkpoints (0: 50).
	Every int
}

// StepMetric is one step of one stage: its figures (loss, reward, kl ...).
type StepMetric struct {
	Stage   string             `json:"stage"`
	Step    int                `json:"step"`
	Figures map[string]float64 `json:"figures"`
}

// Row is one model of the results table.
type Row struct {
	Name string
	Score
}

// Results is what a pipeline run measured.
type Results struct {
	Rows        []Row
	Pairs       int     // preference pairs sampled from the SFT model
	RewardAcc   float64 // reward model's accuracy on held-out pairs
	HeldOutPair int     // held-out pairs
	Prompts     []Instruction
}

// Table prints the results on held-out prompts, with two sample replies
// of each model.
func (r Results) Table(w io.Writer) {
	fmt.Fprintf(w, "\nHeld-out prompts: %d (never trained on). Judge: a program, standing in for human raters.\n", len(r.Prompts))
	fmt.Fprintf(w, "%-5s %6s %8s %9s %9s\n", "model", "judge", "win/SFT", "accuracy", "KL(‖SFT)")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%-5s %6.3f %8.3f %9.3f %9.3f\n", row.Name, row.Judge, row.WinRate, row.Accuracy, row.KL)
	}
	fmt.Fprintln(w, "\nSample replies:")
	for _, row := range r.Rows {
		var s []string
		for i := range min(2, len(r.Prompts)) {
			s = append(s, fmt.Sprintf("%q -> %q", r.Prompts[i].Prompt, row.Replies[i]))
		}
		fmt.Fprintf(w, "  %-5s %s\n", row.Name, strings.Join(s, "   "))
	}
}

// DefaultPretrain is the steps of the base the pipeline pretrains on
// Opticks when it is given none.
const DefaultPretrain = 1000

// DefaultPipeline is the configuration demos/align and tick align run: a
// 2-layer Llama-style model of width 48 (RoPE's relative positions let it
// learn to copy letters: with the GPT block's learned positions the same
// budget spelt no held-out word in capitals), a few minutes on 2 cores.
func DefaultPipeline(seed uint64) Pipeline {
	return Pipeline{
		Sizes: Sizes{Layers: 2, Heads: 4, Dim: 48, Preset: "llama"}, HeldOut: 60, Seed: seed,
		SFT:     Plan{Steps: 1200, Batch: 32, LR: 3e-3, Seed: seed},
		Samples: 4,
		Reward:  Plan{Steps: 150, Batch: 16, LR: 1e-3, Seed: seed},
		RL:      RLPlan{Plan: Plan{Steps: 150, Batch: 16, LR: 5e-5, Seed: seed}, KLCoef: 0.1},
		DPO:     Plan{Steps: 150, Batch: 16, LR: 5e-5, Seed: seed},
		Beta:    0.1, Every: 50,
	}
}
