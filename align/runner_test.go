package align

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/transformer"
)

// stageCase builds a fresh stage (the same one each call) and returns the
// models whose weights it trains, to compare after a run.
type stageCase struct {
	name string
	make func(t *testing.T) (Stage, func() []*transformer.Model, func() []float64)
}

func stageCases() []stageCase {
	plan := Plan{Steps: 7, Batch: 3, LR: 3e-3, Seed: 5}
	trainSet := Instructions()[:40]
	return []stageCase{
		{"sft", func(t *testing.T) (Stage, func() []*transformer.Model, func() []float64) {
			m := tinyModel(t, 11)
			st, err := NewSFTStage(m, trainSet, plan)
			if err != nil {
				t.Fatal(err)
			}
			return st, func() []*transformer.Model { return []*transformer.Model{m} }, nil
		}},
		{"reward", func(t *testing.T) (Stage, func() []*transformer.Model, func() []float64) {
			rm, err := NewRewardModel(tinyModel(t, 12))
			if err != nil {
				t.Fatal(err)
			}
			st, err := NewRewardStage(rm, testPairs, plan)
			if err != nil {
				t.Fatal(err)
			}
			return st, func() []*transformer.Model { return []*transformer.Model{rm.Model} },
				func() []float64 { return append(append([]float64(nil), rm.W...), rm.B) }
		}},
		{"dpo", func(t *testing.T) (Stage, func() []*transformer.Model, func() []float64) {
			ref := tinyModel(t, 13)
			m, _ := Clone(ref)
			st, err := NewDPOStage(m, ref, testPairs, 0.5, plan)
			if err != nil {
				t.Fatal(err)
			}
			return st, func() []*transformer.Model { return []*transformer.Model{m} }, nil
		}},
		{"rlhf", func(t *testing.T) (Stage, func() []*transformer.Model, func() []float64) {
			ref := tinyModel(t, 15)
			m, _ := Clone(ref)
			rm, _ := NewRewardModel(ref)
			for j := range rm.W {
				rm.W[j] = 0.1 * float64(j%5-2)
			}
			st, err := NewRLStage(m, ref, rm, trainSet, RLPlan{Plan: plan, KLCoef: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			return st, func() []*transformer.Model { return []*transformer.Model{m} }, nil
		}},
	}
}

// sameWeights fails unless every parameter of a and b is bit-identical.
func sameWeights(t *testing.T, what string, a, b *transformer.Model) {
	t.Helper()
	for i, p := range a.Params() {
		x, y := p.Value.RawMatrix().Data, b.Params()[i].Value.RawMatrix().Data
		for j := range x {
			if x[j] != y[j] {
				t.Fatalf("%s: %s[%d] %v vs %v", what, p.Name, j, x[j], y[j])
			}
		}
	}
}

// A stage interrupted (Ctrl-C) and resumed ends with the same weights,
// bit for bit, and the same metrics.jsonl as one never interrupted; and
// what it wrote loads with checkpoint.LoadModel, role tokens and all.
func TestStageResumeEqualsUninterrupted(t *testing.T) {
	for _, c := range stageCases() {
		for _, stopAfter := range []int{1, 3} { // at a checkpoint (Every 2) and between two
			t.Run(c.name, func(t *testing.T) {
				dir := t.TempDir()
				whole, cut := filepath.Join(dir, "whole"), filepath.Join(dir, "cut")
				st, models, head := c.make(t)
				if err := RunStage(context.Background(), st, RunOptions{Out: whole, Every: 2}); err != nil {
					t.Fatal(err)
				}
				wantModels := models()
				var wantHead []float64
				if head != nil {
					wantHead = head()
				}

				st2, _, _ := c.make(t)
				ctx, cancel := context.WithCancel(context.Background())
				o := RunOptions{Out: cut, Every: 2, afterStep: func(i int) {
					if i == stopAfter {
						cancel()
					}
				}}
				err := RunStage(ctx, st2, o)
				if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "--resume") {
					t.Fatalf("interrupted run: %v", err)
				}
				st3, models3, head3 := c.make(t) // a new process: fresh weights
				if err := RunStage(context.Background(), st3, RunOptions{Out: cut, Every: 2, Resume: true}); err != nil {
					t.Fatal(err)
				}
				for i, m := range models3() {
					sameWeights(t, "in memory", wantModels[i], m)
				}
				if head3 != nil {
					got := head3()
					for j := range got {
						if got[j] != wantHead[j] {
							t.Fatalf("reward head [%d]: %v resumed, %v uninterrupted", j, got[j], wantHead[j])
						}
					}
				}
				a, _ := os.ReadFile(filepath.Join(whole, checkpoint.MetricsFile))
				b, _ := os.ReadFile(filepath.Join(cut, checkpoint.MetricsFile))
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("metrics differ:\n%s\n--- resumed:\n%s", a, b)
				}
				if n := bytes.Count(a, []byte("\n")); n != st.Steps() {
					t.Errorf("%d metrics lines, want %d", n, st.Steps())
				}
				for _, out := range []string{whole, cut} {
					m, tok, err := checkpoint.LoadModel(out)
					if err != nil {
						t.Fatal(err)
					}
					sameWeights(t, "saved "+out, wantModels[0], m)
					if !isChatTokenizer(tok) {
						t.Errorf("%s: tokenizer %s lacks the role tokens", out, tok.Name())
					}
					if _, err := os.Stat(filepath.Join(out, checkpoint.PlotFile)); err != nil {
						t.Errorf("no plot: %v", err)
					}
				}
			})
		}
	}
}

// A reward stage's folder loads back as the reward model it trained.
func TestLoadRewardModel(t *testing.T) {
	rm, _ := NewRewardModel(tinyModel(t, 14))
	st, err := NewRewardStage(rm, testPairs, Plan{Steps: 4, Batch: 3, LR: 3e-3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rm")
	if err := RunStage(context.Background(), st, RunOptions{Out: out}); err != nil {
		t.Fatal(err)
	}
	got, err := LoadRewardModel(out)
	if err != nil {
		t.Fatal(err)
	}
	ins := []Instruction{testPairs[0].Instruction, testPairs[1].Instruction}
	want, _, _ := rm.Rewards(ins, []string{"tac", "7"})
	r, _, err := got.Rewards(ins, []string{"tac", "7"})
	if err != nil || r[0] != want[0] || r[1] != want[1] {
		t.Errorf("loaded rewards %v (%v), trained %v", r, err, want)
	}
	// An SFT run is no reward model.
	sft := filepath.Join(t.TempDir(), "sft")
	s, _ := NewSFTStage(tinyModel(t, 1), Instructions()[:10], Plan{Steps: 1, Batch: 2, LR: 1e-3, Seed: 1})
	if err := RunStage(context.Background(), s, RunOptions{Out: sft}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRewardModel(sft); err == nil || !strings.Contains(err.Error(), "not a reward model") {
		t.Errorf("SFT run as reward model: %v", err)
	}
}

// A run folder holding the user's files is refused, and nothing in it is
// touched; resuming with another budget is refused.
func TestRunStageRefuses(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "notes.txt")
	os.WriteFile(mine, []byte("mine"), 0o644)
	s, _ := NewSFTStage(tinyModel(t, 1), Instructions()[:10], Plan{Steps: 2, Batch: 2, LR: 1e-3, Seed: 1})
	if err := RunStage(context.Background(), s, RunOptions{Out: dir}); err == nil {
		t.Error("a folder of the user's files was taken as a run folder")
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Error("the user's file changed")
	}
	out := filepath.Join(dir, "run")
	if err := RunStage(context.Background(), s, RunOptions{Out: out}); err != nil {
		t.Fatal(err)
	}
	s2, _ := NewSFTStage(tinyModel(t, 1), Instructions()[:10], Plan{Steps: 3, Batch: 2, LR: 1e-3, Seed: 1})
	if err := RunStage(context.Background(), s2, RunOptions{Out: out, Resume: true}); err == nil || !strings.Contains(err.Error(), "other settings") {
		t.Errorf("resume with other steps: %v", err)
	}
	if err := RunStage(context.Background(), s2, RunOptions{Out: out}); err == nil {
		t.Error("a second run overwrote a finished run folder")
	}
}

// Off a terminal the progress is a plain line every twentieth of the run,
// with the step, the stage's figures, the rate and the time left.
func TestRunStageProgressLines(t *testing.T) {
	s, _ := NewSFTStage(tinyModel(t, 1), Instructions()[:10], Plan{Steps: 40, Batch: 2, LR: 1e-3, Seed: 1})
	var b bytes.Buffer
	if err := RunStage(context.Background(), s, RunOptions{Out: filepath.Join(t.TempDir(), "r"), Progress: &b}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 20 {
		t.Fatalf("%d progress lines, want 20:\n%s", len(lines), b.String())
	}
	for i, l := range lines {
		want := []string{"sft " + strconv.Itoa(2*(i+1)) + "/40", "loss ", "steps/s", "elapsed"}
		if i < len(lines)-1 {
			want = append(want, "left")
		}
		for _, w := range want {
			if !strings.Contains(l, w) {
				t.Errorf("line %q lacks %q", l, w)
			}
		}
	}
}
