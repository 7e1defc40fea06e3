package align

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func tinyPipeline() Pipeline {
	return Pipeline{
		Sizes: Sizes{Layers: 1, Heads: 2, Dim: 16}, HeldOut: 8, Seed: 3,
		SFT:     Plan{Steps: 60, Batch: 8, LR: 1e-2, Seed: 3},
		Samples: 3,
		Reward:  Plan{Steps: 3, Batch: 4, LR: 1e-3, Seed: 3},
		RL:      RLPlan{Plan: Plan{Steps: 3, Batch: 4, LR: 1e-3, Seed: 3}, KLCoef: 0.05},
		DPO:     Plan{Steps: 3, Batch: 4, LR: 1e-3, Seed: 3},
		Beta:    0.1,
	}
}

// Same seed, same table: every draw comes from seeded sources.
func TestPipelineDeterministic(t *testing.T) {
	var tables [2]string
	for i := range tables {
		res, err := tinyPipeline().Run(io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 4 {
			t.Fatalf("%d rows, want base, SFT, RLHF, DPO", len(res.Rows))
		}
		var b bytes.Buffer
		res.Table(&b)
		tables[i] = b.String()
	}
	if tables[0] != tables[1] {
		t.Errorf("two runs with one seed differ:\n%s\n%s", tables[0], tables[1])
	}
	if !strings.Contains(tables[0], "DPO") {
		t.Errorf("table lacks the DPO row:\n%s", tables[0])
	}
}

func TestPipelineBadBeta(t *testing.T) {
	p := tinyPipeline()
	p.Beta = 0
	p.SFT.Steps = 1
	if _, err := p.Run(io.Discard); err == nil || !strings.Contains(err.Error(), "β") {
		t.Errorf("β 0: error %v, want one naming β", err)
	}
}

// The PPO variant of the RL stage runs and logs a clip fraction in [0, 1].
func TestPipelinePPO(t *testing.T) {
	p := tinyPipeline()
	p.RL.PPOEpochs = 2
	res, err := p.Run(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, m := range res.Metrics {
		if m.Stage == "rl" {
			c, ok := m.Figures["clip"]
			if !ok || c < 0 || c > 1 {
				t.Errorf("rl step %d: clip fraction %v (%v)", m.Step, c, ok)
			}
			seen++
		}
	}
	if seen != p.RL.Steps {
		t.Errorf("%d rl steps logged, want %d", seen, p.RL.Steps)
	}
}
