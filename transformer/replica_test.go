package transformer

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestReplica: for every tiny configuration and both precisions, a replica
// computes the model's loss and gradient to the bit (the gradient read
// through GradientParts: in float32 a replica keeps its weight matrices'
// float32 gradients), on any number of workers set before or after a
// Forward, keeps its gradients to itself (the model's stay zero), and sees
// a change to the model's weights at once.
func TestReplica(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for name, cfg := range tinyConfigs(t) {
		for _, p := range []Precision{Float64, Float32} {
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			roughen(m, rng)
			if err := m.SetCompute(p); err != nil {
				t.Fatal(err)
			}
			B, T := 2, cfg.Context
			ids, targets := randomTokens(rng, B*T, cfg.VocabSize), randomTokens(rng, B*T, cfg.VocabSize)
			m.ZeroGrad()
			want, err := m.Forward(ids, targets, B, T)
			if err != nil {
				t.Fatal(err)
			}
			m.Backward()
			wantGrad := combined(m.GradientParts())
			r, err := m.Replica()
			if err != nil {
				t.Fatal(err)
			}
			m.ZeroGrad()
			for _, workers := range []int{1, 3, 1} {
				r.SetWorkers(workers)
				r.ZeroGrad()
				got, err := r.Forward(ids, targets, B, T)
				if err != nil {
					t.Fatal(err)
				}
				if math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("%s %v, %d workers: replica loss %v, model %v", name, p, workers, got, want)
				}
				r.Backward()
				g := combined(r.GradientParts())
				for k := range wantGrad {
					if math.Float64bits(g[k]) != math.Float64bits(wantGrad[k]) {
						t.Fatalf("%s %v, %d workers: gradient value %d: replica %v, model %v", name, p, workers, k, g[k], wantGrad[k])
					}
				}
			}
			for _, q := range m.Trainable() {
				for _, v := range q.Grad.RawMatrix().Data {
					if v != 0 {
						t.Fatalf("%s %v: the replica's Backward wrote into the model's gradient %s", name, p, q.Name)
					}
				}
			}
			// The same matrices: a change to the model's weights is the replica's.
			for _, q := range m.Params() {
				q.Value.RawMatrix().Data[0] += 1
			}
			moved, _ := m.Forward(ids, targets, B, T)
			got, _ := r.Forward(ids, targets, B, T)
			if moved == want || math.Float64bits(got) != math.Float64bits(moved) {
				t.Fatalf("%s %v: after a change to the model's weights: model %v (was %v), replica %v", name, p, moved, want, got)
			}
		}
	}
}

// combined is the gradient the parts describe, parameter after parameter.
func combined(parts []GradientPart) []float64 {
	var g []float64
	for _, part := range parts {
		n := max(len(part.Grad64), len(part.Grad32))
		for j := range n {
			v := 0.0
			if part.Grad64 != nil {
				v = part.Grad64[j]
			}
			if part.Grad32 != nil {
				v += float64(part.Grad32[j])
			}
			g = append(g, v)
		}
	}
	return g
}

// TestReplicaRefused: a model with LoRA adapters or one for inference has
// no replicas, and says so.
func TestReplicaRefused(t *testing.T) {
	cfg := tinyConfigs(t)["llama"]
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddLoRA(LoRAConfig{Rank: 2, Alpha: 4, Targets: []string{"q"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Replica(); err == nil || !strings.Contains(err.Error(), "LoRA") {
		t.Errorf("replica of a LoRA model: error %v, want one naming LoRA", err)
	}
	inf, err := NewInference(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inf.Replica(); err == nil {
		t.Error("replica of an inference-only model: no error")
	}
}
