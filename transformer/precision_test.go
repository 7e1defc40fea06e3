package transformer

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer/internal/gelu"
)

// precisionConfigs are the whole-model configurations the float32 path is
// checked on: the tiny mixes of gradcheck and both presets at full width.
func precisionConfigs(t *testing.T) map[string]Config {
	configs := tinyConfigs(t)
	for _, name := range []string{"gpt", "llama"} {
		c, _ := Preset(name)
		c.Layers, c.VocabSize = 2, 65
		configs[name+"-preset"] = c
	}
	return configs
}

// relNorm is ‖a−b‖/‖b‖ (‖a−b‖ when b is 0).
func relNorm(a, b []float64) float64 {
	var d, n float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		n += b[i] * b[i]
	}
	if n == 0 {
		return math.Sqrt(d)
	}
	return math.Sqrt(d / n)
}

// runPrecision builds the model of cfg (seed 3), computes in p, runs one
// Forward and Backward on a fixed batch and returns the loss, every
// parameter's gradient and the logits.
func runPrecision(t *testing.T, cfg Config, p Precision, workers, B, T int) (float64, map[string][]float64, []float64) {
	t.Helper()
	m, err := New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	m.workers = workers
	if err := m.SetCompute(p); err != nil {
		t.Fatal(err)
	}
	if cfg.Dropout > 0 {
		m.SetTraining(true, 5)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	ids, targets := randomTokens(rng, B*T, cfg.VocabSize), randomTokens(rng, B*T, cfg.VocabSize)
	targets[1] = -1
	loss, err := m.Forward(ids, targets, B, T)
	if err != nil {
		t.Fatal(err)
	}
	m.ZeroGrad()
	m.Backward()
	grads := map[string][]float64{}
	for _, q := range m.Params() {
		grads[q.Name] = slices.Clone(q.Grad.RawMatrix().Data)
	}
	return loss, grads, slices.Clone(m.Logits().RawMatrix().Data)
}

// TestFloat32MatchesFloat64: on the same weights and batch, float32 compute
// gives the float64 loss within float32 rounding and every parameter's
// gradient within a relative error suited to float32.
func TestFloat32MatchesFloat64(t *testing.T) {
	for name, cfg := range precisionConfigs(t) {
		t.Run(name, func(t *testing.T) {
			B, T := 3, cfg.Context
			l64, g64, z64 := runPrecision(t, cfg, Float64, 2, B, T)
			l32, g32, z32 := runPrecision(t, cfg, Float32, 2, B, T)
			if d := math.Abs(l32 - l64); d > 1e-5*math.Abs(l64) {
				t.Errorf("loss float32 %.9g, float64 %.9g: differ by %.3g", l32, l64, d)
			}
			if e := relNorm(z32, z64); e > 1e-5 {
				t.Errorf("logits: relative error %.3g", e)
			} else if e == 0 {
				t.Errorf("float32 compute gave float64's logits bit for bit: it did not compute in float32")
			}
			for pname, g := range g64 {
				e := relNorm(g32[pname], g)
				if strings.HasSuffix(pname, "k_proj.bias") && cfg.Positions != "rope" {
					continue // zero by the mathematics (TestModelGrad): only rounding is left
				}
				if e > 1e-4 {
					t.Errorf("%s: gradient relative error %.3g", pname, e)
				}
			}
		})
	}
}

// TestFloat32DeterministicAcrossWorkers: float32 compute gives the same
// bits on 1, 2 and 3 workers, with dropout.
func TestFloat32DeterministicAcrossWorkers(t *testing.T) {
	for name, cfg := range precisionConfigs(t) {
		t.Run(name, func(t *testing.T) {
			cfg.Dropout = 0.1
			B, T := 4, cfg.Context
			l1, g1, z1 := runPrecision(t, cfg, Float32, 1, B, T)
			for _, workers := range []int{2, 3} {
				l, g, z := runPrecision(t, cfg, Float32, workers, B, T)
				if l != l1 || !equal(z, z1) {
					t.Errorf("%d workers: loss or logits differ from 1 worker's", workers)
				}
				for pname := range g1 {
					if !equal(g[pname], g1[pname]) {
						t.Errorf("%d workers: %s gradient differs from 1 worker's", workers, pname)
					}
				}
			}
		})
	}
}

// TestFloat32Readers: in float32 compute the float64 doors (Hidden,
// Probs, Attention, BackwardHidden, BackwardWeighted, ForwardInputs and
// BackwardInputs) agree with float64 compute.
func TestFloat32Readers(t *testing.T) {
	cfg := tinyConfigs(t)["gpt"]
	B, T := 2, cfg.Context
	rng := rand.New(rand.NewPCG(1, 1))
	ids, targets := randomTokens(rng, B*T, cfg.VocabSize), randomTokens(rng, B*T, cfg.VocabSize)
	ids[3] = Vector
	inputs := randSlice(rng, B*T*cfg.Dim, 0.1)
	w := randSlice(rng, B*T, 1)
	dh := randSlice(rng, B*T*cfg.Dim, 1)
	type result struct {
		hidden, probs, att, wgrad, hgrad, igrad, dinputs []float64
	}
	run := func(p Precision) result {
		m, _ := New(cfg, 9)
		if err := m.SetCompute(p); err != nil {
			t.Fatal(err)
		}
		grads := func() []float64 {
			var g []float64
			for _, q := range m.Params() {
				g = append(g, q.Grad.RawMatrix().Data...)
			}
			m.ZeroGrad()
			return g
		}
		var r result
		if _, err := m.Forward(ids[4:], targets[4:], B, T-2); err != nil { // another shape first: buffers swap
			t.Fatal(err)
		}
		if _, err := m.Forward(slices.Concat(ids[:3], []int{0}, ids[4:]), targets, B, T); err != nil {
			t.Fatal(err)
		}
		r.hidden = slices.Clone(m.Hidden())
		r.probs = slices.Clone(m.Probs().RawMatrix().Data)
		r.att = slices.Clone(m.Attention(1)[1][0].RawMatrix().Data)
		if err := m.BackwardWeighted(w); err != nil {
			t.Fatal(err)
		}
		r.wgrad = grads()
		if err := m.BackwardHidden(dh); err != nil {
			t.Fatal(err)
		}
		r.hgrad = grads()
		if _, err := m.ForwardInputs(ids, inputs, targets, B, T); err != nil {
			t.Fatal(err)
		}
		r.dinputs = make([]float64, len(inputs))
		if err := m.BackwardInputs(r.dinputs); err != nil {
			t.Fatal(err)
		}
		r.igrad = grads()
		return r
	}
	r64, r32 := run(Float64), run(Float32)
	for _, c := range []struct {
		what     string
		got, ref []float64
	}{
		{"Hidden", r32.hidden, r64.hidden}, {"Probs", r32.probs, r64.probs}, {"Attention", r32.att, r64.att},
		{"BackwardWeighted", r32.wgrad, r64.wgrad}, {"BackwardHidden", r32.hgrad, r64.hgrad},
		{"BackwardInputs' parameter gradients", r32.igrad, r64.igrad}, {"BackwardInputs' input gradients", r32.dinputs, r64.dinputs},
	} {
		if e := relNorm(c.got, c.ref); e > 1e-4 || math.IsNaN(e) {
			t.Errorf("%s: float32 vs float64 relative error %.3g", c.what, e)
		}
	}
}

// TestFloat32GradAccumulates: Backward in float32 adds into Param.Grad, so
// two calls give twice one call's gradient (the float32 weight gradients
// are added, not overwritten, by the second call).
func TestFloat32GradAccumulates(t *testing.T) {
	cfg := tinyConfigs(t)["llama"]
	m, _ := New(cfg, 2)
	if err := m.SetCompute(Float32); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	B, T := 2, cfg.Context
	if _, err := m.Forward(randomTokens(rng, B*T, cfg.VocabSize), randomTokens(rng, B*T, cfg.VocabSize), B, T); err != nil {
		t.Fatal(err)
	}
	m.ZeroGrad()
	m.Backward()
	var once []float64
	for _, p := range m.Params() {
		once = append(once, p.Grad.RawMatrix().Data...)
	}
	m.Backward()
	i := 0
	for _, p := range m.Params() {
		for _, g := range p.Grad.RawMatrix().Data {
			if math.Abs(g-2*once[i]) > 1e-12*math.Abs(g) { // the norm and embedding sums round once more in float64

				t.Fatalf("%s: after two Backward calls %g, want twice %g", p.Name, g, once[i])
			}
			i++
		}
	}
}

// TestSetComputeErrors: the precisions a model cannot compute in are
// errors, never a silent float64 run.
func TestSetComputeErrors(t *testing.T) {
	cfg := tinyConfigs(t)["gpt"]
	m, _ := New(cfg, 1)
	if _, err := m.AddLoRA(LoRAConfig{Rank: 2, Alpha: 4, Targets: m.LoRATargets()[:1]}); err != nil {
		t.Fatal(err)
	}
	if err := m.SetCompute(Float32); err == nil || !strings.Contains(err.Error(), "LoRA") {
		t.Errorf("SetCompute(Float32) with LoRA: error %v, want one naming LoRA", err)
	}
	m2, _ := New(cfg, 1)
	if err := m2.SetCompute(Float32); err != nil {
		t.Fatal(err)
	}
	if _, err := m2.AddLoRA(LoRAConfig{Rank: 2, Alpha: 4, Targets: m2.LoRATargets()[:1]}); err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Forward([]int{1, 2}, []int{2, 3}, 1, 2); err == nil {
		t.Error("Forward in float32 with a LoRA added after SetCompute: no error")
	}
	if err := m2.SetCompute(Precision(7)); err == nil {
		t.Error("SetCompute(7): no error")
	}
	if _, err := ParsePrecision("float16"); err == nil {
		t.Error(`ParsePrecision("float16"): no error`)
	}
	for _, p := range []Precision{Float32, Float64} {
		if q, err := ParsePrecision(p.String()); err != nil || q != p {
			t.Errorf("ParsePrecision(%q) = %v, %v", p.String(), q, err)
		}
	}
}

// TestGeluFloat32: the float32 GELU is the float64 formula (package gelu's
// plain Go loop) computed in float32 (package exp32): y and s within 4 ulp
// of float32 of the float64 values, plus what the float32 rounding of u
// moves σ(2u) (4 ulp of u, relatively |2u|(1 − s) each; exp32's
// TestGELUAccuracy measures 2 ulp beyond that), for lengths around the
// vector width; where σ(2u) is below 10⁻³⁷, s is below 2·10⁻³⁸.
func TestGeluFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{1, 3, 7, 8, 9, 255, 256, 257, 1000} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(4 * rng.NormFloat64())
		}
		x[0] = 0
		y, s := make([]float32, n), make([]float32, n)
		geluForwardT(y, s, x)
		for i, v := range x {
			y64, s64 := make([]float64, 1), make([]float64, 1)
			gelu.ForwardGo(y64, s64, []float64{float64(v)})
			if s64[0] < 1e-37 { // at the end of float32's range (x < −9.4): zero for all purposes
				if s[i] > 2e-38 || math.Abs(float64(y[i])) > 2e-38*math.Abs(float64(v)) {
					t.Fatalf("n %d, x %g: float32 GELU (%g, %g), want s below 2e-38 (float64 formula %g, %g)", n, v, y[i], s[i], y64[0], s64[0])
				}
				continue
			}
			u := gelu.Scale * (float64(v) + 0.044715*float64(v)*float64(v)*float64(v))
			bound := 4 + 4*math.Abs(2*u)*(1-s64[0])
			if ulps32(y[i], y64[0]) > bound || ulps32(s[i], s64[0]) > bound {
				t.Fatalf("n %d, x %g: float32 GELU (%g, %g), float64 formula rounded (%g, %g): more than %.1f ulp apart", n, v, y[i], s[i], float32(y64[0]), float32(s64[0]), bound)
			}
		}
	}
}

// ulps32 is |got − want| in float32 units of the last place of want.
func ulps32(got float32, want float64) float64 {
	if float64(got) == want {
		return 0
	}
	w := float32(math.Abs(want))
	return math.Abs(float64(got)-want) / float64(math.Nextafter32(w, float32(math.Inf(1)))-w)
}
