package align

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tick-llm/tick/transformer"
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
	// Every, when positive, prints a progress line every Every steps of a stage.
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
	Metrics     []StepMetric // every step of every stage, in order
}

// Run runs the pipeline: a fresh model (base), SFT on the training
// prompts, preference pairs sampled from the SFT model and ranked by the
// judge, a reward model fitted to them, RL against the reward model, and
// DPO on the same pairs; then every model on the held-out prompts.
func (p Pipeline) Run(w io.Writer) (Results, error) {
	var res Results
	if !(p.Beta > 0) {
		return res, fmt.Errorf("dpo: β %g: it must be positive (try 0.1)", p.Beta)
	}
	if !(p.RL.KLCoef >= 0) {
		return res, fmt.Errorf("rlhf: KL coefficient %g: it must be at least 0", p.RL.KLCoef)
	}
	trainSet, testSet, err := Split(Instructions(), p.HeldOut, p.Seed)
	if err != nil {
		return res, err
	}
	res.Prompts = testSet
	base, err := NewModel(p.Sizes, p.Seed)
	if err != nil {
		return res, err
	}
	start := time.Now()
	logger := func(stage string, keys ...string) func(int, map[string]float64) {
		return func(s int, f map[string]float64) {
			res.Metrics = append(res.Metrics, StepMetric{stage, s, f})
			if p.Every <= 0 || s%p.Every != 0 {
				return
			}
			fmt.Fprintf(w, "%-6s step %4d", stage, s)
			for _, k := range keys {
				fmt.Fprintf(w, "  %s %.4f", k, f[k])
			}
			fmt.Fprintf(w, "  %5.1fs\n", time.Since(start).Seconds())
		}
	}
	sft, err := Clone(base)
	if err != nil {
		return res, err
	}
	sp := p.SFT
	sp.Log = logger("sft", "loss")
	if err := SFT(sft, trainSet, sp); err != nil {
		return res, err
	}
	pairs, err := SamplePairs(sft, trainSet, p.Samples, p.Seed)
	if err != nil {
		return res, err
	}
	heldPairs, err := SamplePairs(sft, testSet, p.Samples, p.Seed+1)
	if err != nil {
		return res, err
	}
	res.Pairs, res.HeldOutPair = len(pairs), len(heldPairs)
	fmt.Fprintf(w, "pairs: %d from training prompts, %d from held-out prompts (for reward accuracy only)\n", len(pairs), len(heldPairs))
	rm, err := NewRewardModel(sft)
	if err != nil {
		return res, err
	}
	rp := p.Reward
	rp.Log = logger("reward", "loss", "accuracy")
	if err := TrainReward(rm, pairs, rp); err != nil {
		return res, err
	}
	if len(heldPairs) > 0 {
		if res.RewardAcc, err = rm.PairAccuracy(heldPairs); err != nil {
			return res, err
		}
		fmt.Fprintf(w, "reward model: held-out pair accuracy %.3f\n", res.RewardAcc)
	}
	rl, err := Clone(sft)
	if err != nil {
		return res, err
	}
	lp := p.RL
	keys := []string{"reward", "judge", "kl"}
	if lp.PPOEpochs > 0 {
		keys = append(keys, "clip")
	}
	lp.Log = logger("rl", keys...)
	if err := RLHF(rl, sft, rm, trainSet, lp); err != nil {
		return res, err
	}
	dpo, err := Clone(sft)
	if err != nil {
		return res, err
	}
	dp := p.DPO
	dp.Log = logger("dpo", "loss", "margin")
	if err := DPO(dpo, sft, pairs, p.Beta, dp); err != nil {
		return res, err
	}
	sftScore, err := Evaluate(sft, sft, testSet, nil, p.Seed)
	if err != nil {
		return res, err
	}
	for _, r := range []struct {
		name string
		m    *transformer.Model
	}{{"base", base}, {"SFT", sft}, {"RLHF", rl}, {"DPO", dpo}} {
		s := sftScore
		if r.m != sft {
			if s, err = Evaluate(r.m, sft, testSet, sftScore.Replies, p.Seed); err != nil {
				return res, err
			}
		}
		res.Rows = append(res.Rows, Row{r.name, s})
	}
	return res, nil
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

// WriteMetrics writes every step's figures as JSON lines, one a step.
func (r Results) WriteMetrics(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, m := range r.Metrics {
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return nil
}
