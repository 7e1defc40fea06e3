package transformer

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	gpt, _ := Preset("gpt")
	llama, _ := Preset("llama")
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string // substring of the error; "" = valid
	}{
		{"gpt preset", func(c *Config) {}, ""},
		{"llama preset", func(c *Config) { *c = llama }, ""},
		{"zero vocab", func(c *Config) { c.VocabSize = 0 }, "vocab_size is 0"},
		{"negative layers", func(c *Config) { c.Layers = -1 }, "layers is -1"},
		{"zero ff", func(c *Config) { c.FFDim = 0 }, "ff_dim"},
		{"huge context", func(c *Config) { c.Context = 1 << 40 }, "context 1099511627776 is longer"},
		{"heads not dividing dim", func(c *Config) { c.Heads = 3 }, "heads (3) must divide dim (128)"},
		{"kv heads not dividing heads", func(c *Config) { c.KVHeads = 3 }, "kv_heads (3) must divide heads (4)"},
		{"rope with odd head size", func(c *Config) { *c = llama; c.Dim, c.Heads, c.KVHeads = 12, 4, 2 }, "even head size"},
		{"rope without theta", func(c *Config) { *c = llama; c.RopeTheta = 0 }, "rope_theta"},
		{"unknown norm", func(c *Config) { c.Norm = "batchnorm" }, `unknown norm "batchnorm"`},
		{"unknown positions", func(c *Config) { c.Positions = "alibi" }, `unknown positions "alibi"`},
		{"unknown mlp", func(c *Config) { c.MLP = "relu" }, `unknown mlp "relu"`},
		{"bad eps", func(c *Config) { c.NormEps = 0 }, "norm_eps"},
		{"dropout 1", func(c *Config) { c.Dropout = 1 }, "dropout"},
		{"unknown naming", func(c *Config) { c.Naming = "bert" }, "naming"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := gpt
			tc.edit(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid config rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if _, err := New(c, 1); err == nil {
				t.Fatalf("New accepted the invalid config")
			}
		})
	}
	if _, err := Preset("bert"); err == nil {
		t.Fatal("unknown preset accepted")
	}
}

// TestParamNames checks the first layer's tensor names and shapes against
// the Hugging Face checkpoints of GPT-2 (Conv1D weights are in x out) and
// Llama (nn.Linear weights are out x in).
func TestParamNames(t *testing.T) {
	gpt, _ := Preset("gpt")
	llama, _ := Preset("llama")
	D, F, V, C := 128, 512, 256, 64
	want := map[string][][]any{
		"gpt": {
			{"transformer.wte.weight", V, D}, {"transformer.wpe.weight", C, D},
			{"transformer.h.0.ln_1.weight", D}, {"transformer.h.0.ln_1.bias", D},
			{"transformer.h.0.attn.c_attn.weight", D, 3 * D}, {"transformer.h.0.attn.c_attn.bias", 3 * D},
			{"transformer.h.0.attn.c_proj.weight", D, D}, {"transformer.h.0.attn.c_proj.bias", D},
			{"transformer.h.0.ln_2.weight", D}, {"transformer.h.0.ln_2.bias", D},
			{"transformer.h.0.mlp.c_fc.weight", D, F}, {"transformer.h.0.mlp.c_fc.bias", F},
			{"transformer.h.0.mlp.c_proj.weight", F, D}, {"transformer.h.0.mlp.c_proj.bias", D},
		},
		"llama": {
			{"model.embed_tokens.weight", V, D},
			{"model.layers.0.input_layernorm.weight", D},
			{"model.layers.0.self_attn.q_proj.weight", D, D}, {"model.layers.0.self_attn.k_proj.weight", D / 2, D},
			{"model.layers.0.self_attn.v_proj.weight", D / 2, D}, {"model.layers.0.self_attn.o_proj.weight", D, D},
			{"model.layers.0.post_attention_layernorm.weight", D},
			{"model.layers.0.mlp.gate_proj.weight", 352, D}, {"model.layers.0.mlp.up_proj.weight", 352, D},
			{"model.layers.0.mlp.down_proj.weight", D, 352},
		},
	}
	for name, cfg := range map[string]Config{"gpt": gpt, "llama": llama} {
		m, err := New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		ps := m.Params()
		for i, w := range want[name] {
			shape := ps[i].Shape()
			if ps[i].Name != w[0] || len(shape) != len(w)-1 {
				t.Fatalf("%s param %d: %s %v, want %v", name, i, ps[i].Name, shape, w)
			}
			for j := range shape {
				if shape[j] != w[j+1] {
					t.Fatalf("%s param %d: %s %v, want %v", name, i, ps[i].Name, shape, w)
				}
			}
		}
		last := ps[len(ps)-1].Name
		if name == "gpt" && last != "transformer.ln_f.bias" || name == "llama" && last != "lm_head.weight" {
			t.Errorf("%s: last parameter %s", name, last)
		}
	}
	// NumParams by the textbook formula for GPT-2.
	L := 4
	perLayer := 2*D + (D*3*D + 3*D) + (D*D + D) + 2*D + (D*F + F) + (F*D + D)
	m, _ := New(gpt, 1)
	if got, want := m.NumParams(), V*D+C*D+L*perLayer+2*D; got != want {
		t.Errorf("gpt NumParams %d, want %d", got, want)
	}
}

// TestInit checks GPT-2's initialisation statistics and that the seed
// alone decides the weights.
func TestInit(t *testing.T) {
	cfg, _ := Preset("gpt")
	m1, _ := New(cfg, 7)
	m2, _ := New(cfg, 7)
	m3, _ := New(cfg, 8)
	std := func(d []float64) float64 {
		s := 0.0
		for _, v := range d {
			s += v * v
		}
		return math.Sqrt(s / float64(len(d)))
	}
	for i, p := range m1.Params() {
		d := p.Value.RawMatrix().Data
		if !equal(d, m2.Params()[i].Value.RawMatrix().Data) {
			t.Fatalf("%s differs between two models of the same seed", p.Name)
		}
		if p.init == initNormal && equal(d, m3.Params()[i].Value.RawMatrix().Data) {
			t.Fatalf("%s is the same for seeds 7 and 8", p.Name)
		}
		var want float64
		switch {
		case strings.HasSuffix(p.Name, "c_proj.weight"):
			want = 0.02 / math.Sqrt(2*4)
		case strings.HasSuffix(p.Name, ".bias"):
			want = 0
		case strings.Contains(p.Name, "ln_"):
			want = 1
		default:
			want = 0.02
		}
		if got := std(d); math.Abs(got-want) > 0.05*want+1e-12 {
			t.Errorf("%s: rms %.5f, want %.5f", p.Name, got, want)
		}
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func randomTokens(rng *rand.Rand, n, v int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = rng.IntN(v)
	}
	return ids
}

// TestFreshLoss: a freshly initialised model predicts nearly uniformly,
// so its loss is close to ln(vocab).
func TestFreshLoss(t *testing.T) {
	for _, name := range []string{"gpt", "llama"} {
		cfg, _ := Preset(name)
		m, _ := New(cfg, 1)
		rng := rand.New(rand.NewPCG(1, 1))
		B, T := 4, cfg.Context
		loss, err := m.Forward(randomTokens(rng, B*T, cfg.VocabSize), randomTokens(rng, B*T, cfg.VocabSize), B, T)
		if err != nil {
			t.Fatal(err)
		}
		if want := math.Log(float64(cfg.VocabSize)); math.Abs(loss-want) > 0.05 {
			t.Errorf("%s: fresh loss %.4f, want ln(%d) = %.4f ± 0.05", name, loss, cfg.VocabSize, want)
		}
	}
}

// adam is a plain Adam optimiser for the tests.
type adam struct {
	m, v [][]float64
	step int
}

func (o *adam) update(params []*Param, lr float64) {
	if o.m == nil {
		for _, p := range params {
			o.m = append(o.m, make([]float64, p.Size()))
			o.v = append(o.v, make([]float64, p.Size()))
		}
	}
	o.step++
	b1, b2 := 0.9, 0.999
	c1, c2 := 1-math.Pow(b1, float64(o.step)), 1-math.Pow(b2, float64(o.step))
	for i, p := range params {
		w, g := p.Value.RawMatrix().Data, p.Grad.RawMatrix().Data
		for j := range w {
			o.m[i][j] = b1*o.m[i][j] + (1-b1)*g[j]
			o.v[i][j] = b2*o.v[i][j] + (1-b2)*g[j]*g[j]
			w[j] -= lr * (o.m[i][j] / c1) / (math.Sqrt(o.v[i][j]/c2) + 1e-8)
		}
	}
}

// TestMemorise: a small model trained with Adam on a repeating sequence
// learns to predict it (loss near zero), through every layer's backward.
func TestMemorise(t *testing.T) {
	for _, name := range []string{"gpt", "llama"} {
		t.Run(name, func(t *testing.T) {
			cfg, _ := Preset(name)
			cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Dim, cfg.FFDim = 12, 16, 2, 32, 64
			m, err := New(cfg, 3)
			if err != nil {
				t.Fatal(err)
			}
			seq := []int{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8} // period 12: after "5", the context decides
			B, T := 2, 16
			ids, targets := make([]int, B*T), make([]int, B*T)
			for b := 0; b < B; b++ {
				for t := 0; t < T; t++ {
					ids[b*T+t] = seq[(b*5+t)%len(seq)]
					targets[b*T+t] = seq[(b*5+t+1)%len(seq)]
				}
			}
			var opt adam
			first, loss := 0.0, 0.0
			for step := 0; step < 300; step++ {
				loss, err = m.Forward(ids, targets, B, T)
				if err != nil {
					t.Fatal(err)
				}
				if step == 0 {
					first = loss
				}
				m.ZeroGrad()
				m.Backward()
				opt.update(m.Params(), 3e-3)
			}
			t.Logf("%s: loss %.3f -> %.4f after 300 Adam steps", name, first, loss)
			if loss > 0.05 {
				t.Errorf("loss %.4f after training, want < 0.05", loss)
			}
		})
	}
}

// TestDeterministicAcrossWorkers: the same step on 1 and 5 goroutines gives
// bit-identical losses and gradients, for tiny models and for one large
// enough that the element-wise layers split their rows among goroutines.
func TestDeterministicAcrossWorkers(t *testing.T) {
	configs := tinyConfigs(t)
	for _, name := range []string{"gpt", "llama"} {
		big, _ := Preset(name)
		big.Layers, big.VocabSize = 1, 64
		configs[name+"-wide"] = big
	}
	for name, cfg := range configs {
		cfg.Dropout = 0.1
		B, T := 3, 8
		if strings.HasSuffix(name, "-wide") {
			B, T = 4, 64
		}
		var grads [2][]float64
		var losses [2]float64
		for i, workers := range []int{1, 5} {
			m, _ := New(cfg, 4)
			m.workers = workers
			m.SetTraining(true, 11)
			rng := rand.New(rand.NewPCG(2, 2))
			loss, err := m.Forward(randomTokens(rng, B*T, cfg.VocabSize), randomTokens(rng, B*T, cfg.VocabSize), B, T)
			if err != nil {
				t.Fatal(err)
			}
			m.Backward()
			losses[i] = loss
			for _, p := range m.Params() {
				grads[i] = append(grads[i], p.Grad.RawMatrix().Data...)
			}
		}
		if losses[0] != losses[1] || !equal(grads[0], grads[1]) {
			t.Errorf("%s: results differ between 1 and 5 workers", name)
		}
	}
}

// TestGradAccumulates: Backward adds, so two Backward calls double the
// gradient, and ZeroGrad clears it.
func TestGradAccumulates(t *testing.T) {
	cfg := tinyConfigs(t)["llama"]
	m, _ := New(cfg, 1)
	rng := rand.New(rand.NewPCG(3, 3))
	if _, err := m.Forward(randomTokens(rng, 8, cfg.VocabSize), randomTokens(rng, 8, cfg.VocabSize), 1, 8); err != nil {
		t.Fatal(err)
	}
	m.Backward()
	once := append([]float64(nil), m.Params()[3].Grad.RawMatrix().Data...)
	m.Backward()
	for i, v := range m.Params()[3].Grad.RawMatrix().Data {
		if math.Abs(v-2*once[i]) > 1e-12*math.Abs(v) {
			t.Fatalf("second Backward gave %g, want 2 x %g", v, once[i])
		}
	}
	m.ZeroGrad()
	for _, p := range m.Params() {
		for _, v := range p.Grad.RawMatrix().Data {
			if v != 0 {
				t.Fatalf("%s not zeroed", p.Name)
			}
		}
	}
}

// TestMaskedTargets: the loss is the mean over scored positions only, equal
// to the mean of the per-position losses where the target is not -1.
func TestMaskedTargets(t *testing.T) {
	cfg := tinyConfigs(t)["gpt"]
	m, _ := New(cfg, 1)
	rng := rand.New(rand.NewPCG(4, 4))
	ids, targets := randomTokens(rng, 16, cfg.VocabSize), randomTokens(rng, 16, cfg.VocabSize)
	if _, err := m.Forward(ids, targets, 2, 8); err != nil {
		t.Fatal(err)
	}
	all := append([]float64(nil), m.PositionLosses()...)
	masked := append([]int(nil), targets...)
	sum := 0.0
	for i := range masked {
		if i%3 == 0 {
			masked[i] = -1
		} else {
			sum += all[i]
		}
	}
	loss, err := m.Forward(ids, masked, 2, 8)
	if err != nil {
		t.Fatal(err)
	}
	if want := sum / 10; math.Abs(loss-want) > 1e-12 {
		t.Errorf("masked loss %g, want %g", loss, want)
	}
	for i := range masked {
		masked[i] = -1
	}
	if loss, err := m.Forward(ids, masked, 2, 8); err != nil || loss != 0 {
		t.Errorf("all masked: loss %g, err %v; want 0, nil", loss, err)
	}
	m.Backward() // no scored position: must not panic or change gradients
}

// TestAttentionWeights: every row is a probability distribution over the
// past only, and what Forward keeps is what the plain attention computes.
func TestAttentionWeights(t *testing.T) {
	cfg := tinyConfigs(t)["llama"]
	m, _ := New(cfg, 1)
	rng := rand.New(rand.NewPCG(5, 5))
	roughen(m, rng)
	B, T := 2, 7
	if _, err := m.Forward(randomTokens(rng, B*T, cfg.VocabSize), nil, B, T); err != nil {
		t.Fatal(err)
	}
	att := m.Attention(1)
	if len(att) != B || len(att[0]) != cfg.Heads {
		t.Fatalf("Attention shape %d x %d, want %d x %d", len(att), len(att[0]), B, cfg.Heads)
	}
	for b := range att {
		for h := range att[b] {
			for i := 0; i < T; i++ {
				sum := 0.0
				for j := 0; j < T; j++ {
					p := att[b][h].At(i, j)
					if j > i && p != 0 || p < 0 {
						t.Fatalf("att[%d][%d](%d,%d) = %g", b, h, i, j, p)
					}
					sum += p
				}
				if math.Abs(sum-1) > 1e-12 {
					t.Fatalf("row %d sums to %g", i, sum)
				}
			}
		}
	}
	// the kept weights and outputs are those of the plain attention on the
	// kept queries, keys and values
	s := cfg.attnShape(B, T)
	attP, yP := make([]float64, len(m.a.att[1])), make([]float64, len(m.a.y[1]))
	attentionForwardPlain(attP, yP, m.a.qkv[1], s)
	agree(t, "attention weights", m.a.att[1], attP, 1e-12)
	agree(t, "attention output", m.a.y[1], yP, 1e-12)
}

func TestForwardErrors(t *testing.T) {
	cfg := tinyConfigs(t)["gpt"]
	m, _ := New(cfg, 1)
	ok := make([]int, 8)
	for _, tc := range []struct {
		name         string
		ids, targets []int
		B, T         int
		want         string
	}{
		{"zero batch", nil, nil, 0, 8, "must be positive"},
		{"too long", make([]int, 9), nil, 1, 9, "exceeds the context"},
		{"wrong count", ok[:7], nil, 1, 8, "7 ids"},
		{"bad id", []int{0, 1, 2, 11, 0, 0, 0, 0}, nil, 1, 8, "token id 11 at position 3"},
		{"negative id", []int{-1, 1, 2, 1, 0, 0, 0, 0}, nil, 1, 8, "token id -1"},
		{"bad target", ok, []int{0, 0, -2, 0, 0, 0, 0, 0}, 1, 8, "target -2"},
		{"target count", ok, []int{0}, 1, 8, "1 targets"},
	} {
		if _, err := m.Forward(tc.ids, tc.targets, tc.B, tc.T); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestDropout: training mode changes the output, the same seed repeats it,
// evaluation mode is unaffected.
func TestDropout(t *testing.T) {
	cfg := tinyConfigs(t)["gpt"]
	cfg.Dropout = 0.5
	m, _ := New(cfg, 1)
	rng := rand.New(rand.NewPCG(6, 6))
	ids, targets := randomTokens(rng, 8, cfg.VocabSize), randomTokens(rng, 8, cfg.VocabSize)
	run := func() float64 {
		l, err := m.Forward(ids, targets, 1, 8)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	eval := run()
	m.SetTraining(true, 5)
	a, b := run(), run() // two steps: different masks
	m.SetTraining(true, 5)
	a2 := run()
	m.SetTraining(false, 0)
	if a == eval || a == b || a != a2 || run() != eval {
		t.Errorf("eval %g, train %g then %g, replay %g, eval again %g", eval, a, b, a2, run())
	}
}

// TestConfigNumParams: the analytic count matches the allocated tensors.
func TestConfigNumParams(t *testing.T) {
	for name, cfg := range tinyConfigs(t) {
		m, _ := New(cfg, 1)
		if cfg.NumParams() != m.NumParams() {
			t.Errorf("%s: Config.NumParams %d, model has %d", name, cfg.NumParams(), m.NumParams())
		}
	}
	huge, _ := Preset("gpt")
	huge.Dim, huge.FFDim, huge.Layers = 1<<20, 1<<22, 1000
	if err := huge.Validate(); err == nil || !strings.Contains(err.Error(), "more than tick can hold") {
		t.Errorf("huge config: %v", err)
	}
}

// TestStepReusesBuffers: after the first step of a shape, a training step
// allocates almost nothing (goroutine bookkeeping only), even when
// alternating between two shapes.
func TestStepReusesBuffers(t *testing.T) {
	if raceEnabled {
		// transformer/gemm keeps its packing buffers in a sync.Pool, which
		// the race detector empties at random; make test's first pass,
		// without -race, runs this check.
		t.Skip("allocations are not counted under the race detector (sync.Pool drops items on purpose)")
	}
	for _, p := range []Precision{Float64, Float32} {
		stepReusesBuffers(t, p)
	}
}

// stepReusesBuffers is TestStepReusesBuffers computing in p.
func stepReusesBuffers(t *testing.T, p Precision) {
	cfg := tinyConfigs(t)["gpt"]
	m, _ := New(cfg, 1)
	if err := m.SetCompute(p); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	ids, targets := randomTokens(rng, 16, cfg.VocabSize), randomTokens(rng, 16, cfg.VocabSize)
	step := func() {
		m.ZeroGrad()
		m.Forward(ids, targets, 2, 8) // training shape
		m.Backward()
		m.Forward(ids[:8], nil, 1, 8) // evaluation shape
	}
	step()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 10; i++ {
		step()
	}
	runtime.ReadMemStats(&after)
	if perStep := (after.TotalAlloc - before.TotalAlloc) / 10; perStep > 16<<10 {
		t.Errorf("%v: %d bytes allocated per step, want < 16 KiB", p, perStep)
	}
}
