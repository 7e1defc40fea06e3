package transformer

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestInputsEmbeddingGrad checks the embedding of mixed token and vector
// positions alone against finite differences, with L = Σ R⊙x.
func TestInputsEmbeddingGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	V, T, D := 5, 3, 4
	ids := []int{Vector, 4, 1, Vector, Vector, 4} // B=2
	wte, wpe := randSlice(rng, V*D, 1), randSlice(rng, T*D, 1)
	inputs := randSlice(rng, len(ids)*D, 1)
	r := randSlice(rng, len(ids)*D, 1)
	x := make([]float64, len(ids)*D)
	loss := func() float64 { embeddingForward(x, ids, inputs, wte, wpe, T, D); return dot(x, r) }
	dwte, dwpe, dinputs := make([]float64, V*D), make([]float64, T*D), make([]float64, len(ids)*D)
	embeddingBackward(dwte, dwpe, dinputs, r, ids, T, D)
	checkGrad(t, "wte", wte, dwte, loss, 100, rng)
	checkGrad(t, "wpe", wpe, dwpe, loss, 100, rng)
	checkGrad(t, "inputs", inputs, dinputs, loss, 100, rng)
}

// TestInputsModelGrad checks, for whole models of every configuration, the
// gradient BackwardInputs gives the input vectors (and every parameter)
// against finite differences of the loss: the path an image's patches take
// back to the projection that made them.
func TestInputsModelGrad(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(23, 24))
			roughen(m, rng)
			B, T, D := 2, 6, cfg.Dim
			ids, targets := make([]int, B*T), make([]int, B*T)
			for i := range ids {
				ids[i] = rng.IntN(cfg.VocabSize)
				targets[i] = rng.IntN(cfg.VocabSize)
			}
			// The first three positions of each sequence are vectors, as an
			// image's patches come before its caption; they are not scored.
			for b := range B {
				for p := range 3 {
					ids[b*T+p], targets[b*T+p] = Vector, -1
				}
			}
			inputs := randSlice(rng, B*T*D, 1)
			loss := func() float64 {
				l, err := m.ForwardInputs(ids, inputs, targets, B, T)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			loss()
			m.ZeroGrad()
			dinputs := make([]float64, B*T*D)
			if err := m.BackwardInputs(dinputs); err != nil {
				t.Fatal(err)
			}
			grads := map[*Param][]float64{}
			for _, p := range m.Params() {
				grads[p] = slices.Clone(p.Grad.RawMatrix().Data)
			}
			// Only the rows of vector positions carry a gradient.
			for i, id := range ids {
				if id != Vector {
					for _, g := range dinputs[i*D : (i+1)*D] {
						if g != 0 {
							t.Fatalf("token position %d: input gradient %g, want 0", i, g)
						}
					}
				}
			}
			checkGrad(t, "inputs", inputs, dinputs, loss, 48, rng)
			for _, p := range m.Params() {
				check := checkGrad
				if cfg.Positions != "rope" && strings.HasSuffix(p.Name, "k_proj.bias") {
					check = checkZeroGrad // zero by the mathematics, see TestModelGrad
				}
				check(t, p.Name, p.Value.RawMatrix().Data, grads[p], loss, 12, rng)
			}
		})
	}
}

// TestInputsMatchTokens: a vector equal to a token's embedding row is that
// token. ForwardInputs with those vectors gives Forward's loss and logits
// exactly, and the input gradients, added back into the rows of their
// tokens, give Forward's embedding gradient.
func TestInputsMatchTokens(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		t.Run(name, func(t *testing.T) {
			m, err := New(cfg, 3)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(25, 26))
			roughen(m, rng)
			B, T, D := 2, 7, cfg.Dim
			ids, targets := make([]int, B*T), make([]int, B*T)
			for i := range ids {
				ids[i] = rng.IntN(cfg.VocabSize)
				targets[i] = rng.IntN(cfg.VocabSize)
			}
			wteName := m.wte.Name
			wte := m.wte.Value.RawMatrix().Data

			want, err := m.Forward(ids, targets, B, T)
			if err != nil {
				t.Fatal(err)
			}
			wantLogits := slices.Clone(m.Logits().RawMatrix().Data)
			m.ZeroGrad()
			m.Backward()
			wantGrad := map[string][]float64{}
			for _, p := range m.Params() {
				wantGrad[p.Name] = slices.Clone(p.Grad.RawMatrix().Data)
			}

			mixed := slices.Clone(ids)
			inputs := make([]float64, B*T*D)
			for i, id := range ids {
				if rng.IntN(2) == 0 {
					mixed[i] = Vector
					copy(inputs[i*D:(i+1)*D], wte[id*D:(id+1)*D])
				}
			}
			got, err := m.ForwardInputs(mixed, inputs, targets, B, T)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("loss %.17g with vectors, %.17g with tokens", got, want)
			}
			if !slices.Equal(m.Logits().RawMatrix().Data, wantLogits) {
				t.Errorf("logits differ with vectors in place of tokens")
			}
			m.ZeroGrad()
			dinputs := make([]float64, B*T*D)
			if err := m.BackwardInputs(dinputs); err != nil {
				t.Fatal(err)
			}
			dwte := slices.Clone(m.wte.Grad.RawMatrix().Data)
			for i, id := range mixed {
				if id == Vector {
					for j := range D {
						dwte[ids[i]*D+j] += dinputs[i*D+j]
					}
				}
			}
			for _, p := range m.Params() {
				g := p.Grad.RawMatrix().Data
				if p.Name == wteName {
					g = dwte
				}
				for j := range g {
					if math.Abs(g[j]-wantGrad[p.Name][j]) > 1e-12*max(1, math.Abs(wantGrad[p.Name][j])) {
						t.Fatalf("%s[%d]: gradient %.17g with vectors, %.17g with tokens", p.Name, j, g[j], wantGrad[p.Name][j])
					}
				}
			}
		})
	}
}

// TestInputsErrors: wrong sizes and a BackwardInputs without vectors are
// errors that say what is wrong, never a panic; plain Backward after
// ForwardInputs still gives the parameters' gradients.
func TestInputsErrors(t *testing.T) {
	cfg := tinyConfigs(t)["gpt"]
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	D := cfg.Dim
	ids := []int{Vector, 1, 2}
	cases := []struct {
		name   string
		ids    []int
		inputs []float64
		want   string
	}{
		{"short inputs", ids, make([]float64, 2*D), "input values"},
		{"nil inputs", ids, nil, "input values"},
		{"bad token", []int{Vector, 99, 2}, make([]float64, 3*D), "outside the vocabulary"},
		{"other negative id", []int{-2, 1, 2}, make([]float64, 3*D), "outside the vocabulary"},
	}
	for _, c := range cases {
		if _, err := m.ForwardInputs(c.ids, c.inputs, nil, 1, 3); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one about %q", c.name, err, c.want)
		}
	}
	if _, err := m.Forward(ids, nil, 1, 3); err == nil {
		t.Errorf("Forward accepted the Vector id without vectors")
	}
	if _, err := m.Forward([]int{0, 1, 2}, []int{1, 2, 3}, 1, 3); err != nil {
		t.Fatal(err)
	}
	if err := m.BackwardInputs(make([]float64, 3*D)); err == nil || !strings.Contains(err.Error(), "ForwardInputs") {
		t.Errorf("BackwardInputs after Forward: error %v, want one naming ForwardInputs", err)
	}
	if _, err := m.ForwardInputs(ids, make([]float64, 3*D), []int{1, 2, 3}, 1, 3); err != nil {
		t.Fatal(err)
	}
	if err := m.BackwardInputs(make([]float64, D)); err == nil || !strings.Contains(err.Error(), "input gradients") {
		t.Errorf("BackwardInputs with a short slice: error %v", err)
	}
	m.ZeroGrad()
	m.Backward() // no input gradient wanted: must not panic
	if gradSquares(m) == 0 {
		t.Errorf("Backward after ForwardInputs left every gradient zero")
	}
}

// gradSquares is the sum of squares of every parameter gradient.
func gradSquares(m *Model) float64 {
	s := 0.0
	for _, p := range m.Params() {
		for _, g := range p.Grad.RawMatrix().Data {
			s += g * g
		}
	}
	return s
}
