package transformer_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// torchFixture is written by testdata/torch_reference.py: a small GPT-2 and
// a small Llama (grouped-query attention) with random weights, run by
// PyTorch in float64 with Hugging Face's layer definitions, with their
// logits, loss and every parameter's gradient. Regenerate it with
// `python3 transformer/testdata/torch_reference.py` (a python3 that has
// torch; /usr/bin/python3 on Debian).
const torchFixture = "testdata/torch_reference.safetensors"

// torchTol bounds |tick - torch| / max(1, |torch|): an absolute error for
// values below 1, a relative one above. Both sides compute in float64, so
// they agree to about 1e-15; only a different computation misses 1e-9.
const torchTol = 1e-9

// torchWorst is the largest error seen in one kind of quantity, and where.
type torchWorst struct {
	err   float64
	where string
}

func (w *torchWorst) see(got, want float64, where func() string) {
	e := math.Abs(got-want) / math.Max(1, math.Abs(want))
	if math.IsNaN(got) {
		e = math.Inf(1)
	}
	if e > w.err || w.where == "" {
		w.err, w.where = e, where()
	}
}

// TestTorchReference loads the PyTorch models' weights into tick by name,
// runs Forward and Backward on the same batch, and checks tick's logits,
// loss and every parameter gradient against PyTorch's to 1e-9. The fixture
// must hold exactly tick's parameters, with tick's shapes, and its
// configuration must be the preset's up to sizes, so the comparison covers
// the presets' layer semantics: GPT-2's Conv1D layout, tanh GELU, LayerNorm
// with bias and tied head; Llama's rotate-half RoPE, grouped-query
// attention, RMSNorm, SwiGLU and separate head; masked (-1) targets.
func TestTorchReference(t *testing.T) {
	tensors, meta, err := safetensors.Read(torchFixture)
	if err != nil {
		t.Fatalf("%v (regenerate it with python3 transformer/testdata/torch_reference.py)", err)
	}
	byName := make(map[string]safetensors.Tensor, len(tensors))
	for _, tn := range tensors {
		byName[tn.Name] = tn
	}
	for _, preset := range []string{"gpt", "llama"} {
		t.Run(preset, func(t *testing.T) {
			checkTorchReference(t, preset, byName, meta)
		})
	}
}

func checkTorchReference(t *testing.T, preset string, byName map[string]safetensors.Tensor, meta map[string]string) {
	cfg := torchConfig(t, preset, meta)
	m, err := transformer.New(cfg, 1)
	if err != nil {
		t.Fatalf("fixture config: %v", err)
	}
	get := func(name string) safetensors.Tensor {
		t.Helper()
		tn, ok := byName[name]
		if !ok {
			t.Fatalf("fixture has no tensor %q", name)
		}
		return tn
	}

	// Weights in, by name: every tick parameter must be in the fixture with
	// its shape, and every fixture weight must be a tick parameter.
	prefix := preset + "/weight/"
	fixtureWeights := map[string]bool{}
	for name := range byName {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			fixtureWeights[rest] = true
		}
	}
	for _, p := range m.Params() {
		w := get(prefix + p.Name)
		if !slices.Equal(w.Shape, p.Shape()) {
			t.Fatalf("%s: fixture shape %v, tick shape %v", p.Name, w.Shape, p.Shape())
		}
		_, cols := p.Value.Dims()
		torchSet(cols, w.Data, p.Value.Set)
		delete(fixtureWeights, p.Name)
	}
	if len(fixtureWeights) > 0 {
		extra := make([]string, 0, len(fixtureWeights))
		for name := range fixtureWeights {
			extra = append(extra, name)
		}
		slices.Sort(extra)
		t.Fatalf("fixture weights that tick has no parameter for: %v", extra)
	}

	ids, B, T := torchInts(t, get(preset+"/ids"))
	targets, tb, tt := torchInts(t, get(preset+"/targets"))
	if tb != B || tt != T {
		t.Fatalf("targets are %d x %d but ids are %d x %d", tb, tt, B, T)
	}
	if !slices.Contains(targets, -1) {
		t.Fatalf("the fixture has no masked (-1) target, so masking is not checked")
	}

	m.ZeroGrad()
	loss, err := m.Forward(ids, targets, B, T)
	if err != nil {
		t.Fatal(err)
	}
	m.Backward()

	wantLoss := get(preset + "/loss").Data[0]
	var lossErr torchWorst
	lossErr.see(loss, wantLoss, func() string { return "loss" })
	if lossErr.err > torchTol {
		t.Errorf("loss: tick %.17g, torch %.17g", loss, wantLoss)
	}

	V := cfg.VocabSize
	wantLogits := get(preset + "/logits")
	if !slices.Equal(wantLogits.Shape, []int{B, T, V}) {
		t.Fatalf("fixture logits have shape %v, want [%d %d %d]", wantLogits.Shape, B, T, V)
	}
	logits := m.Logits()
	var logitErr torchWorst
	for i := range B * T {
		for j := range V {
			logitErr.see(logits.At(i, j), wantLogits.Data[i*V+j], func() string {
				return fmt.Sprintf("logits[%d][%d][%d]", i/T, i%T, j)
			})
		}
	}
	if logitErr.err > torchTol {
		t.Errorf("logits: error %.3g at %s", logitErr.err, logitErr.where)
	}

	var gradErr torchWorst
	for _, p := range m.Params() {
		want := get(preset + "/grad/" + p.Name)
		if !slices.Equal(want.Shape, p.Shape()) {
			t.Fatalf("%s: fixture gradient shape %v, tick shape %v", p.Name, want.Shape, p.Shape())
		}
		if slices.Max(torchAbs(want.Data)) < 1e-8 {
			t.Errorf("%s: the reference gradient is all zero, which checks nothing", p.Name)
		}
		var pe torchWorst
		_, cols := p.Grad.Dims()
		for k, w := range want.Data {
			pe.see(p.Grad.At(k/cols, k%cols), w, func() string { return fmt.Sprintf("%s[%d]", p.Name, k) })
		}
		if pe.err > torchTol {
			t.Errorf("gradient of %s: error %.3g at %s", p.Name, pe.err, pe.where)
		}
		if pe.err > gradErr.err || gradErr.where == "" {
			gradErr = pe
		}
	}
	t.Logf("worst |tick-torch|/max(1,|torch|): loss %.2g, logits %.2g (%s), gradients %.2g (%s)",
		lossErr.err, logitErr.err, logitErr.where, gradErr.err, gradErr.where)
}

// torchConfig decodes the fixture's configuration of preset and checks that
// it is transformer.Preset(preset) with only the sizes changed, so the test
// keeps covering what the preset builds.
func torchConfig(t *testing.T, preset string, meta map[string]string) transformer.Config {
	t.Helper()
	raw, ok := meta[preset+"/config"]
	if !ok {
		t.Fatalf("fixture metadata has no %q", preset+"/config")
	}
	var cfg transformer.Config
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("fixture %s/config: %v", preset, err)
	}
	want, err := transformer.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	want.VocabSize, want.Context, want.Layers = cfg.VocabSize, cfg.Context, cfg.Layers
	want.Heads, want.KVHeads, want.Dim, want.FFDim = cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim
	if cfg != want {
		t.Fatalf("fixture config %+v differs from Preset(%q) in more than sizes (%+v): "+
			"update CONFIGS in testdata/torch_reference.py and regenerate", cfg, preset, want)
	}
	if preset == "llama" && !(cfg.KVHeads < cfg.Heads) {
		t.Fatalf("llama fixture has %d kv heads for %d heads: grouped-query attention is not checked", cfg.KVHeads, cfg.Heads)
	}
	return cfg
}

// torchInts reads a [B, T] tensor of whole numbers stored as float64.
func torchInts(t *testing.T, tn safetensors.Tensor) (v []int, B, T int) {
	t.Helper()
	if len(tn.Shape) != 2 {
		t.Fatalf("%s has shape %v, want [B T]", tn.Name, tn.Shape)
	}
	v = make([]int, len(tn.Data))
	for i, x := range tn.Data {
		if x != math.Trunc(x) {
			t.Fatalf("%s[%d] = %g is not a whole number", tn.Name, i, x)
		}
		v[i] = int(x)
	}
	return v, tn.Shape[0], tn.Shape[1]
}

// torchSet stores row-major data into a matrix with cols columns through set.
func torchSet(cols int, data []float64, set func(i, j int, v float64)) {
	for k, v := range data {
		set(k/cols, k%cols, v)
	}
}

func torchAbs(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Abs(v)
	}
	return out
}
