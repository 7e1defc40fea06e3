package multimodal

import (
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

// TestPatchesTile: putting the patches back where they came from rebuilds
// the image, and patch p of a scene with one object holds lit pixels only
// if the object's cell overlaps it.
func TestPatchesTile(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 50 {
		s := RandomScene(rng, 2)
		img := Render(s)
		p := make([]float64, NumPatches*PatchSize)
		Patches(p, img)
		var back Image
		for i := range NumPatches {
			py, px := i/PatchesPerSide, i%PatchesPerSide
			for j := range PatchSide * PatchSide {
				y, x := py*PatchSide+j/PatchSide, px*PatchSide+j%PatchSide
				copy(back.Pix[(y*Side+x)*3:][:3], p[i*PatchSize+j*3:][:3])
			}
		}
		if back.Pix != img.Pix {
			t.Fatalf("%s: the patches do not tile back into the image", Caption(s))
		}
	}
}

// fdCheck compares analytic[i] with the central difference of loss in
// x[i] for n entries chosen by rng (and the largest), within relative
// error 1e-6 (floor 1e-4, as the transformer's checks).
func fdCheck(t *testing.T, what string, x, analytic []float64, loss func() float64, n int, rng *rand.Rand) {
	t.Helper()
	idx := []int{0}
	for i, a := range analytic {
		if math.Abs(a) > math.Abs(analytic[idx[0]]) {
			idx[0] = i
		}
	}
	if analytic[idx[0]] == 0 {
		t.Errorf("%s: zero gradient everywhere", what)
		return
	}
	for range n {
		idx = append(idx, rng.IntN(len(x)))
	}
	const h = 1e-5
	for _, i := range idx {
		orig := x[i]
		x[i] = orig + h
		lp := loss()
		x[i] = orig - h
		lm := loss()
		x[i] = orig
		num := (lp - lm) / (2 * h)
		if e := math.Abs(num-analytic[i]) / math.Max(math.Max(math.Abs(num), math.Abs(analytic[i])), 1e-4); e > 1e-6 {
			t.Errorf("%s[%d]: analytic %.10g, numeric %.10g, relative error %.2g", what, i, analytic[i], num, e)
			return
		}
	}
}

// TestProjectorGrad checks the projector alone, L = Σ R⊙e.
func TestProjectorGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	D, n := 5, 2*NumPatches
	pr := NewProjector(D, 3)
	for _, p := range pr.Params() {
		for i := range p.Value.RawMatrix().Data {
			p.Value.RawMatrix().Data[i] = rng.NormFloat64()
		}
	}
	patches := make([]float64, n*PatchSize)
	for i := range patches {
		patches[i] = rng.Float64()
	}
	r := make([]float64, n*D)
	for i := range r {
		r[i] = rng.NormFloat64()
	}
	e := make([]float64, n*D)
	loss := func() float64 {
		pr.Forward(e, patches, n)
		s := 0.0
		for i := range e {
			s += e[i] * r[i]
		}
		return s
	}
	pr.Backward(r, patches, n)
	for _, p := range pr.Params() {
		fdCheck(t, p.Name, p.Value.RawMatrix().Data, p.Grad.RawMatrix().Data, loss, 60, rng)
	}
}

// tinyModel is a one-layer model of the task at width 16.
func tinyModel(t *testing.T, task Task, seed uint64) *Model {
	t.Helper()
	m, err := New(task, Sizes{Layers: 1, Heads: 2, Dim: 16}, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPatchPathGrad is the gradient check of the whole image path: the
// caption loss, through the decoder and ForwardInputs/BackwardInputs, back
// to the patch projection and the patch positions, against finite
// differences of the loss; one decoder tensor of each kind as well.
func TestPatchPathGrad(t *testing.T) {
	task := Task{MaxObjects: 2, Questions: true}
	m := tinyModel(t, task, 1)
	rng := rand.New(rand.NewPCG(13, 14))
	for _, p := range m.Params() { // far from the near-linear start, as the transformer's checks
		for i := range p.Value.RawMatrix().Data {
			p.Value.RawMatrix().Data[i] *= 4
		}
	}
	var exs []Example
	for range 3 {
		exs = append(exs, task.Examples(RandomScene(rng, 2), rng)...)
	}
	loss := func() float64 {
		l, err := m.Loss(exs)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	loss()
	m.ZeroGrad()
	if err := m.Backward(); err != nil {
		t.Fatal(err)
	}
	grads := map[*transformer.Param][]float64{}
	for _, p := range m.Params() {
		grads[p] = slices.Clone(p.Grad.RawMatrix().Data)
	}
	for _, p := range m.Proj.Params() {
		fdCheck(t, p.Name, p.Value.RawMatrix().Data, grads[p], loss, 40, rng)
	}
	for _, name := range []string{"transformer.wte.weight", "transformer.wpe.weight", "transformer.h.0.attn.c_attn.weight", "transformer.h.0.mlp.c_fc.weight"} {
		p := m.Decoder.Param(name)
		fdCheck(t, name, p.Value.RawMatrix().Data, grads[p], loss, 20, rng)
	}
}

// TestDeterministic: the same seed trains to the same weights, bit for
// bit, on one core and on several.
func TestDeterministic(t *testing.T) {
	task := Task{MaxObjects: 2, Questions: true}
	_, keys, err := HeldOut(task, 20, 1)
	if err != nil {
		t.Fatal(err)
	}
	var weights [2][][]float64
	for i, procs := range []int{1, max(2, runtime.NumCPU())} {
		prev := runtime.GOMAXPROCS(procs)
		m := tinyModel(t, task, 5)
		tr, err := NewTrainer(m, keys, 8, 6, 3e-3, 5)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 6; n++ {
			if _, _, err := tr.Step(n); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GOMAXPROCS(prev)
		for _, p := range m.Params() {
			weights[i] = append(weights[i], slices.Clone(p.Value.RawMatrix().Data))
		}
	}
	for j := range weights[0] {
		if !slices.Equal(weights[0][j], weights[1][j]) {
			t.Fatalf("parameter %d differs after training on 1 core and on several", j)
		}
	}
}

// TestAnswerBatchedAlone: answering a batch of examples of different
// lengths together (shorter ones padded) gives each the answer it gets
// alone, so padding never leaks into an answer; and a trained-for-a-moment
// model's answers are words of the vocabulary.
func TestAnswerBatchedAlone(t *testing.T) {
	task := Task{MaxObjects: 2, Questions: true}
	m := tinyModel(t, task, 2)
	_, keys, err := HeldOut(task, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, keys, 16, 30, 1e-2, 2)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 30; n++ {
		if _, _, err := tr.Step(n); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(15, 16))
	var exs []Example
	for range 4 {
		exs = append(exs, task.Examples(RandomScene(rng, 2), rng)...)
	}
	together, err := m.Answer(exs)
	if err != nil {
		t.Fatal(err)
	}
	for i, ex := range exs {
		alone, err := m.Answer([]Example{ex})
		if err != nil {
			t.Fatal(err)
		}
		if alone[0] != together[i] {
			t.Errorf("%q: %q alone, %q in a batch", ex.Prompt, alone[0], together[i])
		}
		if _, err := Tokens(together[i]); err != nil {
			t.Errorf("answer %q: %v", together[i], err)
		}
	}
}

// TestScores: the counts follow the answers given: a right caption counts
// every attribute, a caption with a wrong colour all but colour, a
// caption out of the grammar nothing.
func TestScores(t *testing.T) {
	s := Scene{Objects: []Object{{Shape: 0, Colour: 0, Size: 0, Row: 0, Col: 0}, {Shape: 1, Colour: 2, Size: 1, Row: 2, Col: 2}}}
	ex := Example{Scene: s, Kind: KindCaption, Prompt: Describe, Answer: Caption(s)}
	var sc Scores
	sc.add(ex, Caption(s))
	sc.add(ex, "a small green circle at the top left and a large blue square at the bottom right")
	sc.add(ex, "a small red circle")
	sc.add(Example{Scene: s, Kind: KindColour, Prompt: "what colour is the square ?", Answer: "blue"}, "blue")
	sc.add(Example{Scene: s, Kind: KindColour, Prompt: "what colour is the circle ?", Answer: "red"}, "blue")
	want := Scores{Objects: 6, Shape: 4, Colour: 3, Size: 4, Position: 4, Count: 2}
	want.Examples[KindCaption], want.Right[KindCaption] = 3, 1
	want.Examples[KindColour], want.Right[KindColour] = 2, 1
	if !reflect.DeepEqual(sc, want) {
		t.Errorf("scores %+v, want %+v", sc, want)
	}
}
