package transformer

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The gradient checks compare every hand-written backward pass with central
// finite differences, (L(x+h) - L(x-h)) / 2h, in float64. Each layer is
// checked alone with the scalar loss L = Σ R⊙y for a fixed random R (so
// ∂L/∂y = R), then whole models with their cross-entropy loss. Inputs and
// weights are drawn large (not the 0.02 of GPT-2's init) so the
// nonlinearities are exercised away from their linear regime.

const fdStep = 1e-5

// maxRelErr is the tolerance of the checks: |analytic - numeric| divided
// by max(|analytic|, |numeric|, gradFloor).
const maxRelErr = 1e-6

// gradFloor keeps the ratio meaningful for gradients that are exactly or
// nearly zero (masked positions, the future half of causal attention),
// where finite differences leave an absolute error of about 1e-11.
const gradFloor = 1e-4

func relErr(a, n float64) float64 {
	return math.Abs(a-n) / math.Max(math.Max(math.Abs(a), math.Abs(n)), gradFloor)
}

// checkGrad compares analytic[i] with the finite difference of loss with
// respect to x[i] for up to samples entries of x (all when x is small):
// the checkTop entries of largest analytic magnitude, then others chosen by
// rng. loss must recompute everything from x. A tensor that receives no
// gradient fails: one whose analytic gradient is zero everywhere, or none
// of whose checked entries moves the loss, is a tensor that forward or
// backward forgets.
func checkGrad(t *testing.T, what string, x, analytic []float64, loss func() float64, samples int, rng *rand.Rand) {
	t.Helper()
	largest := 0.0
	for _, a := range analytic {
		largest = max(largest, math.Abs(a))
	}
	if largest == 0 {
		t.Errorf("%s: the analytic gradient is zero in all %d entries: backward gives this tensor no gradient", what, len(x))
		return
	}
	idx := sampleEntries(analytic, samples, rng)
	worst, nonzero := 0.0, 0
	for _, i := range idx {
		num := numericGrad(x, i, loss)
		if math.Abs(num) > gradFloor {
			nonzero++
		}
		e := relErr(analytic[i], num)
		worst = max(worst, e)
		if e > maxRelErr {
			t.Errorf("%s[%d]: analytic %.12g, numeric %.12g, relative error %.2g > %g", what, i, analytic[i], num, e, maxRelErr)
			return
		}
	}
	if nonzero == 0 {
		t.Errorf("%s: none of the %d checked entries changes the loss by more than %g per unit: the loss does not depend on this tensor", what, len(idx), gradFloor)
		return
	}
	if testing.Verbose() {
		t.Logf("%-45s %4d entries (%d non-negligible), worst relative error %.2g", what, len(idx), nonzero, worst)
	}
}

// checkParam is checkGrad on a parameter's values and gradient, 100
// entries at most.
func checkParam(t *testing.T, what string, p *Param, loss func() float64, rng *rand.Rand) {
	t.Helper()
	checkGrad(t, what, p.Value.RawMatrix().Data, p.Grad.RawMatrix().Data, loss, 100, rng)
}

// checkZeroGrad checks a tensor whose gradient is zero by the mathematics
// (see TestModelGrad): the analytic gradient is rounding noise in every
// entry, and so is the numeric one in the sampled entries.
func checkZeroGrad(t *testing.T, what string, x, analytic []float64, loss func() float64, samples int, rng *rand.Rand) {
	t.Helper()
	for i, a := range analytic {
		if math.Abs(a) > 1e-12 {
			t.Errorf("%s[%d]: analytic gradient %.3g, want 0", what, i, a)
			return
		}
	}
	for _, i := range sampleEntries(analytic, samples, rng) {
		if num := numericGrad(x, i, loss); math.Abs(num) > gradFloor {
			t.Errorf("%s[%d]: numeric gradient %.3g, want 0", what, i, num)
			return
		}
	}
}

// numericGrad is the central difference (L(x+h) - L(x-h)) / 2h in entry i.
func numericGrad(x []float64, i int, loss func() float64) float64 {
	old := x[i]
	x[i] = old + fdStep
	lp := loss()
	x[i] = old - fdStep
	lm := loss()
	x[i] = old
	return (lp - lm) / (2 * fdStep)
}

// checkTop is how many of the entries with the largest analytic gradient
// checkGrad always checks, so a tensor whose gradient is mostly zero (an
// embedding row per token seen, positions past T) still has checked
// entries that move the loss.
const checkTop = 4

// sampleEntries picks the entries checkGrad checks: all of them when there
// are at most samples, else the checkTop largest |analytic| and random others.
func sampleEntries(analytic []float64, samples int, rng *rand.Rand) []int {
	if len(analytic) <= samples {
		idx := make([]int, len(analytic))
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	byMagnitude := make([]int, len(analytic))
	for i := range byMagnitude {
		byMagnitude[i] = i
	}
	slices.SortStableFunc(byMagnitude, func(i, j int) int { return cmp.Compare(math.Abs(analytic[j]), math.Abs(analytic[i])) })
	idx := slices.Clone(byMagnitude[:min(checkTop, samples)])
	for _, i := range rng.Perm(len(analytic)) {
		if len(idx) == samples {
			break
		}
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	return idx
}

func randSlice(rng *rand.Rand, n int, std float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = std * rng.NormFloat64()
	}
	return s
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func randParam(rng *rand.Rand, name string, rows, cols int, mean, std float64) *Param {
	p := newMatrix(name, rows, cols, initNormal)
	for i, v := range randSlice(rng, rows*cols, std) {
		p.Value.RawMatrix().Data[i] = mean + v
	}
	return p
}

func TestLinearGrad(t *testing.T) {
	for _, tc := range []struct {
		name  string
		outIn bool
		bias  bool
	}{{"conv1d (in x out) with bias", false, true}, {"nn.Linear (out x in)", true, false}, {"nn.Linear with bias", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			N, in, out := 5, 4, 3
			l := linear{in: in, out: out, outIn: tc.outIn}
			if tc.outIn {
				l.W = randParam(rng, "w", out, in, 0, 1)
			} else {
				l.W = randParam(rng, "w", in, out, 0, 1)
			}
			if tc.bias {
				l.B = randParam(rng, "b", 1, out, 0, 1)
			}
			x := randSlice(rng, N*in, 1)
			r := randSlice(rng, N*out, 1)
			y := make([]float64, N*out)
			loss := func() float64 {
				l.forward(general(y, N, out, out), general(x, N, in, in), 2)
				return dot(y, r)
			}
			dx := make([]float64, N*in)
			l.backward(general(dx, N, in, in), general(r, N, out, out), general(x, N, in, in), 2)
			checkGrad(t, "x", x, dx, loss, 100, rng)
			checkParam(t, "W", l.W, loss, rng)
			if tc.bias {
				checkParam(t, "b", l.B, loss, rng)
			}
		})
	}
}

func TestNormGrad(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rms, bias bool
	}{{"layernorm", false, true}, {"layernorm without bias", false, false}, {"rmsnorm", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			N, D := 4, 6
			l := norm{rms: tc.rms, eps: 1e-5, dim: D}
			l.G = randParam(rng, "g", 1, D, 1, 0.3)
			if tc.bias {
				l.B = randParam(rng, "b", 1, D, 0, 0.3)
			}
			x := randSlice(rng, N*D, 2)
			r := randSlice(rng, N*D, 1)
			y, mean, rstd := make([]float64, N*D), make([]float64, N), make([]float64, N)
			loss := func() float64 {
				l.forward(y, mean, rstd, x, N, 2)
				return dot(y, r)
			}
			loss()
			dx := make([]float64, N*D)
			l.backward(dx, r, x, mean, rstd, N, 2)
			checkGrad(t, "x", x, dx, loss, 100, rng)
			checkParam(t, "g", l.G, loss, rng)
			if tc.bias {
				checkParam(t, "b", l.B, loss, rng)
			}
		})
	}
}

func TestAttentionGrad(t *testing.T) {
	for _, s := range []attnShape{
		{B: 2, T: 5, H: 2, KVH: 2, hs: 3}, // multi-head
		{B: 2, T: 4, H: 4, KVH: 2, hs: 2}, // grouped-query
		{B: 1, T: 6, H: 3, KVH: 1, hs: 4}, // multi-query
	} {
		t.Run(fmt.Sprintf("B%d_T%d_H%d_KV%d_hs%d", s.B, s.T, s.H, s.KVH, s.hs), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			n, W, D := s.B*s.T, s.qkvWidth(), s.H*s.hs
			qkv := randSlice(rng, n*W, 1)
			r := randSlice(rng, n*D, 1)
			att := make([]float64, s.B*s.H*s.T*s.T)
			y := make([]float64, n*D)
			loss := func() float64 {
				attentionForward(att, y, qkv, s, 2)
				return dot(y, r)
			}
			loss()
			dqkv := make([]float64, n*W)
			scratch := [][]float64{make([]float64, s.T*s.T), make([]float64, s.T*s.T)}
			attentionBackward(dqkv, r, att, qkv, scratch, s, 2)
			checkGrad(t, "qkv", qkv, dqkv, loss, 1000, rng)
		})
	}
}

func TestRopeGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n, T, nHeads, hs := 6, 3, 3, 4
	stride := nHeads*hs + 2 // extra columns (values) must stay untouched
	cos, sin := ropeTables(T, hs, 10000, nil)
	x := randSlice(rng, n*stride, 1)
	r := randSlice(rng, n*stride, 1)
	y := make([]float64, len(x))
	loss := func() float64 {
		copy(y, x)
		rope(y, n, T, stride, nHeads, hs, cos, sin, false)
		return dot(y, r)
	}
	dx := append([]float64(nil), r...)
	rope(dx, n, T, stride, nHeads, hs, cos, sin, true)
	checkGrad(t, "x", x, dx, loss, 1000, rng)
}

func TestActivationGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const N = 40
	x, u := randSlice(rng, N, 2), randSlice(rng, N, 2)
	r := randSlice(rng, N, 1)
	y := make([]float64, N)
	t.Run("gelu", func(t *testing.T) {
		dx, s := make([]float64, N), make([]float64, N)
		geluForward(y, s, x)
		geluBackward(dx, r, x, s)
		checkGrad(t, "x", x, dx, func() float64 { geluForward(y, nil, x); return dot(y, r) }, N, rng)
	})
	t.Run("swiglu", func(t *testing.T) {
		da, du := make([]float64, N), make([]float64, N)
		swigluBackward(da, du, r, x, u)
		loss := func() float64 { swigluForward(y, x, u); return dot(y, r) }
		checkGrad(t, "gate", x, da, loss, N, rng)
		checkGrad(t, "up", u, du, loss, N, rng)
	})
	t.Run("dropout", func(t *testing.T) {
		mask := make([]float64, N)
		dropoutMask(mask, 0.3, 42, 1)
		dx := append([]float64(nil), r...)
		mulInPlace(dx, mask)
		loss := func() float64 { copy(y, x); mulInPlace(y, mask); return dot(y, r) }
		checkGrad(t, "x", x, dx, loss, N, rng)
	})
}

func TestCrossEntropyGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	N, V := 5, 7
	logits := randSlice(rng, N*V, 2)
	targets := []int{3, -1, 0, 6, -1} // two unscored positions
	probs, losses := make([]float64, N*V), make([]float64, N)
	loss := func() float64 {
		crossEntropyForward(probs, losses, logits, targets, N, V)
		mean, _ := meanLoss(losses, targets)
		return mean
	}
	loss()
	d := make([]float64, N*V)
	crossEntropyBackward(d, probs, targets, N, V, 3)
	checkGrad(t, "logits", logits, d, loss, N*V, rng)
}

func TestEmbeddingGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	V, T, D := 5, 3, 4
	ids := []int{1, 4, 1, 1, 0, 4} // B=2, repeated ids
	wte, wpe := randSlice(rng, V*D, 1), randSlice(rng, T*D, 1)
	r := randSlice(rng, len(ids)*D, 1)
	x := make([]float64, len(ids)*D)
	loss := func() float64 { embeddingForward(x, ids, nil, wte, wpe, T, D); return dot(x, r) }
	dwte, dwpe := make([]float64, V*D), make([]float64, T*D)
	embeddingBackward(dwte, dwpe, nil, r, ids, T, D)
	checkGrad(t, "wte", wte, dwte, loss, 100, rng)
	checkGrad(t, "wpe", wpe, dwpe, loss, 100, rng)
}

// tinyConfigs are small variants of both presets and mixes of their
// switches, for whole-model checks.
func tinyConfigs(t testing.TB) map[string]Config {
	shrink := func(c Config) Config {
		c.VocabSize, c.Context, c.Layers, c.Dim, c.FFDim = 11, 8, 2, 16, 24
		return c
	}
	gpt, err := Preset("gpt")
	if err != nil {
		t.Fatal(err)
	}
	llama, err := Preset("llama")
	if err != nil {
		t.Fatal(err)
	}
	gpt, llama = shrink(gpt), shrink(llama)
	gptRope := gpt
	gptRope.Positions, gptRope.RopeTheta, gptRope.MLP, gptRope.KVHeads, gptRope.TiedHead = "rope", 100, "swiglu", 1, false
	llamaLN := llama
	llamaLN.Norm, llamaLN.Positions, llamaLN.MLP, llamaLN.Bias, llamaLN.TiedHead = "layernorm", "learned", "gelu", true, true
	return map[string]Config{"gpt": gpt, "llama": llama, "gpt-naming+rope+swiglu+mqa": gptRope, "llama-naming+layernorm+gelu+bias": llamaLN}
}

// roughen redraws every parameter with large values so the model is far
// from the near-linear regime of a fresh initialisation.
func roughen(m *Model, rng *rand.Rand) {
	for _, p := range m.Params() {
		data := p.Value.RawMatrix().Data
		for i := range data {
			switch p.init {
			case initOnes:
				data[i] = 1 + 0.3*rng.NormFloat64()
			default:
				data[i] = 0.4 * rng.NormFloat64()
			}
		}
	}
}

// TestModelGrad checks the gradient of every tensor of whole models, in
// every configuration switch, against finite differences of the loss.
func TestModelGrad(t *testing.T) {
	configs := tinyConfigs(t)
	withDropout := configs["gpt"]
	withDropout.Dropout = 0.2
	configs["gpt+dropout"] = withDropout
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(15, 16))
			roughen(m, rng)
			B, T := 2, 6
			ids := make([]int, B*T)
			targets := make([]int, B*T)
			for i := range ids {
				ids[i] = rng.IntN(cfg.VocabSize)
				targets[i] = rng.IntN(cfg.VocabSize)
			}
			targets[2], targets[7] = -1, -1
			loss := func() float64 {
				if cfg.Dropout > 0 {
					m.SetTraining(true, 99) // the same masks at every evaluation
				}
				l, err := m.Forward(ids, targets, B, T)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			loss()
			m.ZeroGrad()
			m.Backward()
			grads := map[*Param][]float64{}
			for _, p := range m.Params() {
				grads[p] = slices.Clone(p.Grad.RawMatrix().Data)
			}
			// A key bias without RoPE adds q·b to every score of a query's
			// row, which the softmax ignores: its gradient is zero by the
			// mathematics (checkpoints with attention biases carry it anyway).
			zeroByDesign := func(p *Param) bool {
				return cfg.Positions != "rope" && strings.HasSuffix(p.Name, "k_proj.bias")
			}
			for _, p := range m.Params() { // every tensor, no exception
				check := checkGrad
				if zeroByDesign(p) {
					check = checkZeroGrad
				}
				check(t, p.Name, p.Value.RawMatrix().Data, grads[p], loss, 24, rng)
			}
			for _, p := range layerTensors(m) {
				if !slices.Contains(m.Params(), p) {
					t.Errorf("%s: the layers use it, but Params does not list it, so it is never checked, saved or trained", p.Name)
				}
			}
		})
	}
}

// layerTensors lists the parameters the layers read, by walking the
// model's structure rather than Params, so a tensor left out of Params
// (never checked, saved or trained) is noticed.
func layerTensors(m *Model) []*Param {
	var ps []*Param
	put := func(p ...*Param) {
		for _, q := range p {
			if q != nil && !slices.Contains(ps, q) {
				ps = append(ps, q)
			}
		}
	}
	lin := func(l linear) { put(l.W, l.B) }
	nrm := func(n norm) { put(n.G, n.B) }
	put(m.wte, m.wpe)
	for _, b := range m.blocks {
		nrm(b.norm1)
		for _, l := range b.qkv {
			lin(l)
		}
		lin(b.proj)
		nrm(b.norm2)
		lin(b.gate)
		lin(b.up)
		lin(b.down)
	}
	nrm(m.normF)
	lin(m.head)
	return ps
}

// TestGeluFormula: the σ(2u) form used in the code equals GPT-2's
// ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
func TestGeluFormula(t *testing.T) {
	x := []float64{-30, -5, -1, -1e-3, 0, 1e-3, 0.5, 1, 3, 30}
	y := make([]float64, len(x))
	geluForward(y, nil, x)
	for i, v := range x {
		want := 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
		if math.Abs(y[i]-want) > 1e-14*math.Max(1, math.Abs(want)) {
			t.Errorf("gelu(%g) = %.17g, want %.17g", v, y[i], want)
		}
	}
}
