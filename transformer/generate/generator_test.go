package generate

import (
	"bytes"
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/sample"
)

// tinyModel is a small random (untrained) transformer: its logits are
// arbitrary but fixed, which is all these tests need.
func tinyModel(t testing.TB, preset string, context int) *transformer.Model {
	t.Helper()
	cfg, err := transformer.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Dim, cfg.FFDim = 13, context, 2, 16, 32
	cfg.Heads, cfg.KVHeads = 4, 2
	if preset == "gpt" {
		cfg.KVHeads = 4
	}
	m, err := transformer.New(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// forwardLogits is the reference: a full Forward over ids, without any
// cache, and the logits at its last position.
func forwardLogits(t testing.TB, m *transformer.Model, ids []int) []float64 {
	t.Helper()
	if _, err := m.Forward(ids, nil, 1, len(ids)); err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), m.Logits().RawRowView(len(ids)-1)...)
}

// TestLogitsMatchForward generates past the context (so the window slides
// several times) and checks at every step that the cached logits equal a
// full Forward over the window, and that the window is the most recent
// tokens, at most Context of them.
func TestLogitsMatchForward(t *testing.T) {
	for _, preset := range []string{"gpt", "llama"} {
		const context = 8
		m := tinyModel(t, preset, context)
		ref := tinyModel(t, preset, context) // same seed, same weights; Forward keeps state
		prompt := []int{1, 2, 3}
		g, err := New(m, prompt, Options{Sample: sample.Options{Temperature: 1, TopP: 1}, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		for step := range 30 {
			logits, err := g.Logits()
			if err != nil {
				t.Fatal(err)
			}
			window, err := g.Window()
			if err != nil {
				t.Fatal(err)
			}
			ids := g.IDs()
			if len(window) == 0 || len(window) > context || !slices.Equal(window, ids[len(ids)-len(window):]) {
				t.Fatalf("%s step %d: window %v is not a suffix of %v of at most %d tokens", preset, step, window, ids, context)
			}
			want := forwardLogits(t, ref, window)
			for i := range want {
				if math.Abs(logits[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
					t.Fatalf("%s step %d: logit %d is %v with the cache, %v with Forward", preset, step, i, logits[i], want[i])
				}
			}
			s, err := g.Propose()
			if err != nil {
				t.Fatal(err)
			}
			if s.Window != len(window) || !slices.Equal(s.ContextIDs, ids) {
				t.Fatalf("%s step %d: step says window %d of %v, generator has %d of %v", preset, step, s.Window, s.ContextIDs, len(window), ids)
			}
			if err := g.Accept(s.Chosen.ID); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(g.IDs()); n != 33 {
			t.Errorf("%s: %d tokens after 30 steps from 3, want 33", preset, n)
		}
	}
}

func run(t *testing.T, m *transformer.Model, o sample.Options, seed uint64, n int) []Step {
	t.Helper()
	g, err := New(m, []int{4, 5}, Options{Sample: o, Seed: seed, Top: 5})
	if err != nil {
		t.Fatal(err)
	}
	var steps []Step
	for range n {
		s, err := g.Propose()
		if err != nil {
			t.Fatal(err)
		}
		again, _ := g.Propose()
		if !reflect.DeepEqual(s, again) {
			t.Fatal("Propose twice without Accept gave two different steps")
		}
		steps = append(steps, s)
		if err := g.Accept(s.Chosen.ID); err != nil {
			t.Fatal(err)
		}
	}
	return steps
}

func TestSeededRunRepeats(t *testing.T) {
	m := tinyModel(t, "llama", 16)
	o := sample.Options{Temperature: 1.5, TopK: 8, TopP: 0.95}
	a := run(t, m, o, 42, 20)
	// Same seed, same result on any number of cores.
	prev := runtime.GOMAXPROCS(1)
	b := run(t, m, o, 42, 20)
	runtime.GOMAXPROCS(prev)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave two different runs (GOMAXPROCS 1 and default)")
	}
	c := run(t, m, o, 43, 20)
	if reflect.DeepEqual(ids(a), ids(c)) {
		t.Error("seeds 42 and 43 gave the same 20 tokens at temperature 1.5: is the seed used?")
	}
}

func ids(steps []Step) []int {
	var out []int
	for _, s := range steps {
		out = append(out, s.Chosen.ID)
	}
	return out
}

// TestGreedyTakesArgmax checks greedy decoding against an argmax of the
// Forward logits computed here.
func TestGreedyTakesArgmax(t *testing.T) {
	m := tinyModel(t, "gpt", 16)
	ref := tinyModel(t, "gpt", 16)
	g, err := New(m, []int{0}, Options{Sample: sample.Options{Temperature: 0, TopP: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for step := range 10 {
		s, err := g.Propose()
		if err != nil {
			t.Fatal(err)
		}
		want := argmax(forwardLogits(t, ref, g.IDs()))
		if s.Chosen.ID != want || s.Chosen.Reason != sample.ReasonGreedy || s.Chosen.Prob != 1 {
			t.Fatalf("step %d: chose %d (%s), argmax is %d", step, s.Chosen.ID, s.Chosen.Reason, want)
		}
		if s.Candidates[0].ID != want {
			t.Fatalf("step %d: first candidate %d is not the argmax %d", step, s.Candidates[0].ID, want)
		}
		if err := g.Accept(s.Chosen.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// TestStepFields checks a sampled step against its definition: candidates
// by falling probability, Prob a softmax of logits/T, entropy in bits of
// that distribution, top-k cuts beyond rank k, Final renormalised.
func TestStepFields(t *testing.T) {
	m := tinyModel(t, "gpt", 16)
	const temp, k = 0.7, 3
	g, err := New(m, []int{1, 2}, Options{Sample: sample.Options{Temperature: temp, TopK: k, TopP: 1}, Top: 6, Seed: 9,
		TokenText: func(id int) []byte { return []byte{byte('a' + id)} }})
	if err != nil {
		t.Fatal(err)
	}
	logits, _ := g.Logits()
	p := make([]float64, len(logits))
	mx, sum := slices.Max(logits), 0.0
	for i, l := range logits {
		p[i] = math.Exp((l - mx) / temp)
		sum += p[i]
	}
	h, kept := 0.0, 0.0
	for i := range p {
		p[i] /= sum
		h -= p[i] * math.Log2(p[i])
	}
	s, err := g.Propose()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Candidates) != 6 {
		t.Fatalf("%d candidates, want 6", len(s.Candidates))
	}
	if math.Abs(s.EntropyBits-h) > 1e-9 {
		t.Errorf("entropy %v bits, want %v", s.EntropyBits, h)
	}
	for i, c := range s.Candidates {
		if math.Abs(c.Prob-p[c.ID]) > 1e-12 {
			t.Errorf("candidate %d: prob %v, want %v", i, c.Prob, p[c.ID])
		}
		if i > 0 && c.Prob > s.Candidates[i-1].Prob {
			t.Errorf("candidate %d is more probable than %d", i, i-1)
		}
		if c.Text != string(rune('a'+c.ID)) {
			t.Errorf("candidate %d: text %q for id %d", i, c.Text, c.ID)
		}
		if (i < k) != c.Kept || (i < k && c.Reason != "kept") || (i >= k && c.Reason != "cut by top-k") || (i >= k && c.Final != 0) {
			t.Errorf("candidate %d of top-%d: kept=%v reason %q final %v", i, k, c.Kept, c.Reason, c.Final)
		}
		if c.Kept {
			kept += c.Prob
		}
	}
	for _, c := range s.Candidates[:k] {
		if math.Abs(c.Final-c.Prob/kept) > 1e-12 {
			t.Errorf("id %d: final %v, want %v renormalised", c.ID, c.Final, c.Prob/kept)
		}
	}
	i := slices.IndexFunc(s.Candidates[:k], func(c Candidate) bool { return c.ID == s.Chosen.ID })
	if s.Chosen.Reason != sample.ReasonSampled || i < 0 {
		t.Fatalf("chose %+v, want a sampled token among the top %d", s.Chosen, k)
	}
	if c := s.Candidates[i]; s.Chosen.Prob != c.Final || s.Chosen.Text != c.Text {
		t.Errorf("chose %+v; its candidate is %+v", s.Chosen, c)
	}
}

// TestChosenOutsideTable: a token drawn from below the listed candidates
// still has its probability, p / (kept mass), computed here from a softmax
// of the logits.
func TestChosenOutsideTable(t *testing.T) {
	m := tinyModel(t, "llama", 16)
	const temp = 3 // flat: most draws land below the first candidate
	g, err := New(m, []int{3}, Options{Sample: sample.Options{Temperature: temp, TopP: 0.9}, Top: 1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	outside := 0
	for range 40 {
		logits, err := g.Logits()
		if err != nil {
			t.Fatal(err)
		}
		p := make([]float64, len(logits))
		mx, sum := slices.Max(logits), 0.0
		for i, l := range logits {
			p[i] = math.Exp((l - mx) / temp)
			sum += p[i]
		}
		order := make([]int, len(p)) // ids by falling probability
		for i := range order {
			order[i] = i
			p[i] /= sum
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[b], p[a]) })
		kept := 0.0 // top-p 0.9: the fewest most probable tokens holding 0.9
		for _, id := range order {
			if kept >= 0.9 {
				break
			}
			kept += p[id]
		}
		s, err := g.Propose()
		if err != nil {
			t.Fatal(err)
		}
		if s.Chosen.ID != s.Candidates[0].ID {
			outside++
		}
		if want := p[s.Chosen.ID] / kept; math.Abs(s.Chosen.Prob-want) > 1e-9 {
			t.Fatalf("chose %+v, want probability %v / %v = %v", s.Chosen, p[s.Chosen.ID], kept, want)
		}
		if err := g.Accept(s.Chosen.ID); err != nil {
			t.Fatal(err)
		}
	}
	if outside == 0 {
		t.Error("every draw was the first candidate: the test checked nothing outside the table")
	}
}

// windowCache is a fake Cache whose logits are a function of the whole
// window (a hash), so any mistake in what the Generator pushes shows. It
// counts its slides.
type windowCache struct {
	ids    []int
	limit  int
	slides int
}

func (c *windowCache) Push(id int) ([]float64, error) {
	if len(c.ids) >= c.limit {
		return nil, errors.New("fake cache: full")
	}
	c.ids = append(c.ids, id)
	return windowLogits(c.ids), nil
}

func (c *windowCache) Prefill(ids []int) ([]float64, error) {
	if len(ids) == 0 || len(ids) > c.limit {
		return nil, errors.New("fake cache: prefill of 0 or too many tokens")
	}
	c.ids = append(c.ids[:0], ids...)
	return windowLogits(c.ids), nil
}

func (c *windowCache) Slide(keep int) ([]float64, error) {
	if keep < 1 || keep > len(c.ids) {
		return nil, errors.New("fake cache: bad keep")
	}
	c.ids = append(c.ids[:0], c.ids[len(c.ids)-keep:]...)
	c.slides++
	return windowLogits(c.ids), nil
}

func (c *windowCache) Len() int { return len(c.ids) }

func windowLogits(ids []int) []float64 {
	h := uint64(len(ids))
	for _, id := range ids {
		h = h*1000003 + uint64(id)
	}
	r := rand.New(rand.NewPCG(h, 1))
	out := make([]float64, 5)
	for i := range out {
		out[i] = r.NormFloat64()
	}
	return out
}

// TestSlideKeepsHalf checks the documented overflow policy on a fake: when
// the context is full, the cache slides (its own Slide) and the window
// restarts from the most recent Context/2 tokens, the new one included; the
// cache never overflows.
func TestSlideKeepsHalf(t *testing.T) {
	for _, context := range []int{6, 7, 4, 3, 2, 1} {
		c := &windowCache{limit: context}
		g, err := NewWithCache(c, context, []int{0, 1, 2, 3, 4, 0, 1, 2, 3}, Options{Sample: sample.Options{TopP: 1}})
		if err != nil {
			t.Fatal(err)
		}
		all := g.IDs()
		if !slices.Equal(c.ids, all[len(all)-context:]) {
			t.Fatalf("context %d: a long prompt left %v in the cache, want its last %d tokens", context, c.ids, context)
		}
		for step := range 20 {
			before := len(c.ids)
			s, err := g.Propose()
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Accept(s.Chosen.ID); err != nil {
				t.Fatal(err)
			}
			all = append(all, s.Chosen.ID)
			logits, err := g.Logits()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(logits, windowLogits(c.ids)) || !slices.Equal(c.ids, all[len(all)-len(c.ids):]) {
				t.Fatalf("context %d step %d: cache holds %v, not a suffix of %v", context, step, c.ids, all)
			}
			want := before + 1
			if before == context {
				want = max(1, context/2)
			}
			if len(c.ids) != want {
				t.Fatalf("context %d step %d: window of %d tokens after %d, want %d", context, step, len(c.ids), before, want)
			}
		}
		if context >= 4 && c.slides == 0 {
			t.Errorf("context %d: 20 tokens past a full cache without a Slide", context)
		}
	}
}

// TestSlideRealCache runs the overflow policy on a real model's cache, the
// window checked against the token list and the logits against a Forward
// over it, for contexts whose half keeps no old token (2, 3) or some (5).
func TestSlideRealCache(t *testing.T) {
	for _, context := range []int{2, 3, 5} {
		m := tinyModel(t, "llama", context)
		ref := tinyModel(t, "llama", context)
		g, err := New(m, []int{1, 2, 3, 4, 5, 6}, Options{Sample: sample.Options{Temperature: 1, TopP: 1}, Seed: 8})
		if err != nil {
			t.Fatal(err)
		}
		n := context // the prompt fills the window
		for step := range 12 {
			window, err := g.Window()
			if err != nil {
				t.Fatal(err)
			}
			ids := g.IDs()
			if !slices.Equal(window, ids[len(ids)-n:]) {
				t.Fatalf("context %d step %d: window %v, want the last %d of %v", context, step, window, n, ids)
			}
			logits, _ := g.Logits()
			want := forwardLogits(t, ref, window)
			for i := range want {
				if math.Abs(logits[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
					t.Fatalf("context %d step %d: logit %d is %v with the cache, %v with Forward", context, step, i, logits[i], want[i])
				}
			}
			s, err := g.Propose()
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Accept(s.Chosen.ID); err != nil {
				t.Fatal(err)
			}
			if n++; n > context {
				n = max(1, context/2)
			}
		}
	}
}

func TestGeneratorErrors(t *testing.T) {
	m := tinyModel(t, "gpt", 8)
	ok := sample.Options{Temperature: 1, TopP: 1}
	if _, err := New(m, nil, Options{Sample: ok}); err == nil {
		t.Error("an empty prompt was accepted")
	}
	if _, err := New(m, []int{1}, Options{Sample: sample.Options{Temperature: -1, TopP: 1}}); err == nil {
		t.Error("a negative temperature was accepted")
	}
	if _, err := New(m, []int{1}, Options{Sample: sample.Options{Temperature: 1, TopP: 0}}); err == nil {
		t.Error("top-p 0 was accepted")
	}
	if _, err := New(m, []int{99}, Options{Sample: ok}); err == nil {
		t.Error("a prompt id outside the vocabulary was accepted")
	}
	g, err := New(m, []int{1}, Options{Sample: ok})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Accept(13); err == nil {
		t.Error("Accept took id 13 in a vocabulary of 13")
	}
}

// recorder remembers the steps a Loop was shown.
type recorder struct {
	*Generator
	steps []Step
}

func (r *recorder) Propose() (Step, error) {
	s, err := r.Generator.Propose()
	if err == nil && (len(r.steps) == 0 || r.steps[len(r.steps)-1].Step != s.Step) {
		r.steps = append(r.steps, s)
	}
	return s, err
}

// TestInteractiveWithModel drives a real model with scripted keys: Enter
// takes the sampler's token, "3" the fourth candidate, "a" the sampler's
// tokens to the end.
func TestInteractiveWithModel(t *testing.T) {
	m := tinyModel(t, "llama", 8)
	g, err := New(m, []int{1, 2}, Options{Sample: sample.Options{Temperature: 1, TopP: 1}, Seed: 5,
		TokenText: func(id int) []byte { return []byte{byte('a' + id)} }})
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{Generator: g}
	var out bytes.Buffer
	l := Loop{Stepper: r, TokenText: func(id int) []byte { return []byte{byte('a' + id)} },
		Mode: ModeInteractive, MaxTokens: 12, In: bytes.NewBufferString("\n3\na\n"), Out: &out}
	res, err := l.Run()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.steps) != 12 || len(res.IDs) != 12 {
		t.Fatalf("%d steps shown, %d tokens generated; want 12 (context 8: the window slid)", len(r.steps), len(res.IDs))
	}
	got := g.IDs()[2:]
	for i, s := range r.steps {
		want := s.Chosen.ID
		if i == 1 {
			want = s.Candidates[3].ID
		}
		if got[i] != want {
			t.Errorf("step %d: generated %d, want %d", i+1, got[i], want)
		}
	}
	if strings.Count(out.String(), "Enter: next") != 3 {
		t.Errorf("asked for a key %d times, want 3 (then a runs to the end)", strings.Count(out.String(), "Enter: next"))
	}
}

func TestSettings(t *testing.T) {
	tests := []struct {
		o    sample.Options
		want string
	}{
		{sample.Options{Temperature: 0, TopP: 1}, "greedy decoding (temperature 0); the model reads up to 8 tokens"},
		{sample.Options{Temperature: 0.8, TopP: 1}, "temperature 0.8 · seed 4; the model reads up to 8 tokens"},
		{sample.Options{Temperature: 1, TopK: 5, TopP: 0.9}, "temperature 1 · top-k 5 · top-p 0.9 · seed 4; the model reads up to 8 tokens"},
	}
	for _, tt := range tests {
		g, err := NewWithCache(&windowCache{limit: 8}, 8, []int{1}, Options{Sample: tt.o, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Settings(); got != tt.want {
			t.Errorf("Settings() = %q, want %q", got, tt.want)
		}
	}
}
