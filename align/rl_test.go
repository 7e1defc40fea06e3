package align

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/transformer"
)

// The policy-gradient surrogate's gradient against central differences,
// on fixed sampled replies and advantages.
func TestPolicyGradient(t *testing.T) {
	m := tinyModel(t, 8)
	perturb(m, 2)
	b, _, _ := sampledBatch(t, m, 4, 3)
	adv := []float64{0.7, -0.2, -0.9, 0.4}
	loss := func() float64 {
		lp, _ := SeqLogProbs(m, b)
		l := 0.0
		for i := range lp {
			l -= adv[i] * lp[i] / float64(len(lp))
		}
		return l
	}
	gradCheck(t, m, loss, func() {
		if _, err := PolicyGrad(m, b, adv); err != nil {
			t.Fatal(err)
		}
	})
}

// rlFixture is a tiny policy, its frozen reference and a reward model with
// a random head, all from seeds, so two calls give equal models.
func rlFixture(t *testing.T) (policy, ref *transformer.Model, rm *RewardModel) {
	t.Helper()
	ref = tinyModel(t, 21)
	perturb(ref, 22)
	policy, err := Clone(ref)
	if err != nil {
		t.Fatal(err)
	}
	if rm, err = NewRewardModel(tinyModel(t, 23)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(24, 24))
	for j := range rm.W {
		rm.W[j] = rng.NormFloat64()
	}
	return policy, ref, rm
}

func tinyRLPlan(algo string) RLPlan {
	return RLPlan{Plan: Plan{Steps: 3, Batch: 4, LR: 1e-3, Seed: 5}, KLCoef: 0.1, Algorithm: algo, PPOEpochs: 2}
}

// weights copies every parameter of the models, in order.
func weights(ms ...*transformer.Model) []float64 {
	var w []float64
	for _, m := range ms {
		for _, p := range m.Params() {
			w = append(w, p.Value.RawMatrix().Data...)
		}
	}
	return w
}

// stageWeights is everything an RL stage trains.
func stageWeights(s *rlStage) []float64 {
	w := weights(s.policy)
	if s.value != nil {
		w = append(append(append(w, weights(s.value.Model)...), s.value.W...), s.value.B)
	}
	return w
}

// A stage saved after step 0 and loaded into a fresh stage continues
// exactly as one never interrupted (same figures, same weights, bit for
// bit), on one core as on all of them; for both algorithms.
func TestRLStageResumeEqualsUninterrupted(t *testing.T) {
	for _, algo := range []string{AlgoPPO, AlgoREINFORCE} {
		t.Run(algo, func(t *testing.T) {
			run := func(procs int, interrupt bool) ([]map[string]float64, []float64) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				policy, ref, rm := rlFixture(t)
				s, err := newRLStage(policy, ref, rm, Instructions(), tinyRLPlan(algo))
				if err != nil {
					t.Fatal(err)
				}
				var figs []map[string]float64
				for i := range s.Steps() {
					if interrupt && i == 1 {
						dir := filepath.Join(t.TempDir(), "last")
						if err := s.Save(dir); err != nil {
							t.Fatal(err)
						}
						policy, ref, rm := rlFixture(t)
						if s, err = newRLStage(policy, ref, rm, Instructions(), tinyRLPlan(algo)); err != nil {
							t.Fatal(err)
						}
						if err := s.Load(dir); err != nil {
							t.Fatal(err)
						}
					}
					f, err := s.Step(i)
					if err != nil {
						t.Fatal(err)
					}
					figs = append(figs, f)
				}
				return figs, stageWeights(s)
			}
			f1, w1 := run(1, false)
			f2, w2 := run(runtime.NumCPU(), true)
			if !reflect.DeepEqual(f1, f2) {
				t.Errorf("figures differ:\nuninterrupted, 1 core: %v\nresumed, all cores:    %v", f1, f2)
			}
			if !slices.Equal(w1, w2) {
				t.Errorf("weights differ after resuming")
			}
			if algo == AlgoPPO {
				for _, k := range []string{"reward", "judge", "kl", "clip", "value_loss", "explained_variance", "entropy"} {
					if _, ok := f1[0][k]; !ok {
						t.Errorf("figure %q not logged", k)
					}
				}
				if c := f1[1]["clip"]; c < 0 || c > 1 {
					t.Errorf("clip fraction %g outside [0, 1]", c)
				}
			}
		})
	}
}

// Training moves the value model toward the returns: over a few PPO
// steps on one stage, its loss on a fixed batch falls.
func TestRLStageTrainsValue(t *testing.T) {
	policy, ref, rm := rlFixture(t)
	p := tinyRLPlan(AlgoPPO)
	p.Steps, p.KLCoef = 12, 0 // with no KL term the returns are the reward model's scores
	s, err := newRLStage(policy, ref, rm, Instructions(), p)
	if err != nil {
		t.Fatal(err)
	}
	var first, last float64
	for i := range s.Steps() {
		f, err := s.Step(i)
		if err != nil {
			t.Fatal(err)
		}
		if i < 3 {
			first += f["value_loss"] / 3
		}
		if i >= s.Steps()-3 {
			last += f["value_loss"] / 3
		}
	}
	if !(last < first) {
		t.Errorf("value loss %g over the first steps, %g over the last: it should fall", first, last)
	}
}

// steppedStage is a PPO stage of rlFixture after its step 0.
func steppedStage(t *testing.T) *rlStage {
	t.Helper()
	policy, ref, rm := rlFixture(t)
	s, err := newRLStage(policy, ref, rm, Instructions(), tinyRLPlan(AlgoPPO))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Step(0); err != nil {
		t.Fatal(err)
	}
	return s
}

// A failed Load (another algorithm's save, a missing folder, a save of
// another model's size) names the problem and changes nothing.
func TestRLStageLoadErrors(t *testing.T) {
	s := steppedStage(t)
	before := stageWeights(s)
	t0 := s.opt.AdamW.T

	reinforce := filepath.Join(t.TempDir(), "last")
	p2, ref2, rm2 := rlFixture(t)
	r, err := newRLStage(p2, ref2, rm2, Instructions(), tinyRLPlan(AlgoREINFORCE))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Save(reinforce); err != nil {
		t.Fatal(err)
	}
	bigger := filepath.Join(t.TempDir(), "last")
	bp, err := NewModel(Sizes{Layers: 1, Heads: 2, Dim: 24}, 1)
	if err != nil {
		t.Fatal(err)
	}
	bref, _ := Clone(bp)
	brm, _ := NewRewardModel(bp)
	b, err := newRLStage(bp, bref, brm, Instructions(), tinyRLPlan(AlgoPPO))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Save(bigger); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, dir, want string }{
		{"other algorithm", reinforce, "other settings"},
		{"missing", filepath.Join(t.TempDir(), "nothing"), "no checkpoint"},
		{"other size", bigger, "differs"},
	} {
		err := s.Load(c.dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if !slices.Equal(before, stageWeights(s)) || s.opt.AdamW.T != t0 {
			t.Errorf("%s: a failed Load changed the stage", c.name)
		}
	}
}

// Bad settings are one-line errors naming the setting.
func TestRLStageBadInput(t *testing.T) {
	policy, ref, rm := rlFixture(t)
	other, err := NewModel(Sizes{Layers: 1, Heads: 2, Dim: 16}, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := other.Config
	cfg.VocabSize = 300
	foreign, err := transformer.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	set := func(f func(*RLPlan)) RLPlan { p := tinyRLPlan(AlgoPPO); f(&p); return p }
	cases := []struct {
		name        string
		policy, ref *transformer.Model
		prompts     []Instruction
		p           RLPlan
		want        string
	}{
		{"negative KL", policy, ref, Instructions(), set(func(p *RLPlan) { p.KLCoef = -1 }), "KL coefficient"},
		{"NaN KL", policy, ref, Instructions(), set(func(p *RLPlan) { p.KLCoef = math.NaN() }), "KL coefficient"},
		{"algorithm", policy, ref, Instructions(), set(func(p *RLPlan) { p.Algorithm = "trpo" }), `algorithm "trpo"`},
		{"epochs", policy, ref, Instructions(), set(func(p *RLPlan) { p.PPOEpochs = -2 }), "PPO epochs"},
		{"minibatch", policy, ref, Instructions(), set(func(p *RLPlan) { p.MiniBatch = 9 }), "minibatch"},
		{"clip", policy, ref, Instructions(), set(func(p *RLPlan) { p.ClipEps = 1.5 }), "clip ε"},
		{"value clip", policy, ref, Instructions(), set(func(p *RLPlan) { p.ValueClip = -1 }), "value clip"},
		{"gamma", policy, ref, Instructions(), set(func(p *RLPlan) { p.Gamma = 2 }), "γ"},
		{"lambda", policy, ref, Instructions(), set(func(p *RLPlan) { p.Lambda = -0.5 }), "λ"},
		{"steps", policy, ref, Instructions(), set(func(p *RLPlan) { p.Steps = 0 }), "steps"},
		{"same model", policy, policy, Instructions(), tinyRLPlan(AlgoPPO), "same model"},
		{"no prompts", policy, ref, nil, tinyRLPlan(AlgoPPO), "no training prompts"},
		{"vocabulary", foreign, ref, Instructions(), tinyRLPlan(AlgoPPO), "vocabulary of 300"},
	}
	for _, c := range cases {
		_, err := NewRLStage(c.policy, c.ref, rm, c.prompts, c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.name, err, c.want)
		}
	}
	s, _ := NewRLStage(policy, ref, rm, Instructions(), tinyRLPlan(AlgoPPO))
	if _, err := s.Step(s.Steps()); err == nil {
		t.Errorf("step %d of %d: no error", s.Steps(), s.Steps())
	}
}

// An RL checkpoint is a tick checkpoint: checkpoint.LoadModel reads the
// policy back, with the chat tokenizer, as tick generate and tick chat do.
func TestRLStageCheckpointLoadsAsModel(t *testing.T) {
	s := steppedStage(t)
	dir := filepath.Join(t.TempDir(), "last")
	if err := s.Save(dir); err != nil {
		t.Fatal(err)
	}
	m, tok, err := checkpoint.LoadModel(dir)
	policy := s.policy
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(weights(m), weights(policy)) {
		t.Error("the checkpoint's model is not the policy")
	}
	if !isChatTokenizer(tok) {
		t.Errorf("the checkpoint's tokenizer (%s, %d tokens) is not the chat tokenizer", tok.Name(), tok.VocabSize())
	}
	_, st, err := checkpoint.ReadState(dir)
	if err != nil || st.Step != 1 {
		t.Errorf("state: step %d (%v), want 1", st.Step, err)
	}
}

// With dropout in the model, PPO's first update still sees ratio 1
// exactly: it compares the policy with itself, not with a thinned copy.
// Then no token is clipped, and the loss is −mean Aₜ, 0 for advantages
// normalised to mean 0.
func TestPPOFirstUpdateRatioOneWithDropout(t *testing.T) {
	cfg := tinyModel(t, 1).Config
	cfg.Dropout = 0.5
	policy, err := transformer.New(cfg, 31)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := Clone(policy)
	_, _, rm := rlFixture(t)
	p := tinyRLPlan(AlgoPPO)
	p.PPOEpochs, p.MiniBatch = 1, p.Batch // one update: the ratio is 1
	s, err := NewRLStage(policy, ref, rm, Instructions(), p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Step(0)
	if err != nil {
		t.Fatal(err)
	}
	if f["clip"] != 0 || math.Abs(f["loss"]) > 1e-12 {
		t.Errorf("clip fraction %g and loss %g at the first update, want 0 and 0", f["clip"], f["loss"])
	}
}
