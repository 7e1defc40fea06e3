package transformer

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Benchmarks of one training step (ZeroGrad + Forward + Backward) and of
// KV-cache generation, reported as tokens/s and achieved GFLOP/s. In the
// default build BenchmarkTrainStep runs each shape in float32 (what tick
// train runs) and in float64 on transformer/gemm and on gonum's own dgemm
// in the same run (compare the lines' tok/s);
// otherwise they time tick alone; `tick bench train` and `tick bench generate` (internal/bench)
// time tick and a peer (PyTorch, llm.c, llama2.c) side by side in one run
// and print the ratio.
//
// Run: go test -run '^$' -bench . ./transformer/ (pure Go)
// and: go test -tags openblas -run '^$' -bench . ./transformer/

// stepFLOPs counts the floating-point operations of one training step
// analytically: 6 per token per matmul weight (2 forward, 4 backward) plus
// attention's QKᵀ and P·V over the full T x T square (which is what the BLAS
// calls compute), 4·B·T²·D per layer forward and twice that backward.
func stepFLOPs(c Config, B, T int) float64 {
	D, F, L := float64(c.Dim), float64(c.FFDim), float64(c.Layers)
	qkv := float64((c.Heads + 2*c.KVHeads) * c.HeadSize())
	weights := L*(D*qkv+D*D+2*D*F) + float64(c.VocabSize)*D
	if c.MLP == "swiglu" {
		weights += L * D * F
	}
	tokens := float64(B * T)
	return 6*tokens*weights + 12*L*float64(B)*float64(T)*float64(T)*D
}

func BenchmarkTrainStep(b *testing.B) {
	for _, bc := range []struct {
		name               string
		layers, heads, dim int
		context, batch     int
	}{
		{"nanogpt_4x128_T64_B12", 4, 4, 128, 64, 12},
		{"gpt_6x384_T256_B8", 6, 6, 384, 256, 8},
	} {
		// float32 first: what tick train computes in. The float64 rows
		// compare the BLAS backends; float32 runs on gemm32 whatever
		// blas64 is.
		b.Run(bc.name+"/float32/"+Backend, func(b *testing.B) {
			benchTrainStep(b, Float32, bc.layers, bc.heads, bc.dim, bc.context, bc.batch)
		})
		for _, be := range benchBackends() {
			b.Run(bc.name+"/float64/"+be.name, func(b *testing.B) {
				defer be.use()()
				benchTrainStep(b, Float64, bc.layers, bc.heads, bc.dim, bc.context, bc.batch)
			})
		}
	}
}

// benchBackend is a BLAS a benchmark runs on: use installs it and returns
// the function that puts the previous one back.
type benchBackend struct {
	name string
	use  func() (restore func())
}

// benchTrainStep times ZeroGrad + Forward + Backward of one model shape
// computing in p.
func benchTrainStep(b *testing.B, p Precision, layers, heads, dim, context, batch int) {
	cfg, _ := Preset("gpt")
	cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = layers, heads, heads, dim, 4*dim
	cfg.Context, cfg.VocabSize = context, 256
	m, err := New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	if err := m.SetCompute(p); err != nil {
		b.Fatal(err)
	}
	B, T := batch, context
	rng := rand.New(rand.NewPCG(1, 2))
	ids, targets := randomTokens(rng, B*T, 256), randomTokens(rng, B*T, 256)
	step := func() {
		m.ZeroGrad()
		if _, err := m.Forward(ids, targets, B, T); err != nil {
			b.Fatal(err)
		}
		m.Backward()
	}
	step() // allocate the activations outside the timing
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	sec := b.Elapsed().Seconds()
	tokps := float64(B*T*b.N) / sec
	b.ReportMetric(tokps, "tok/s")
	b.ReportMetric(stepFLOPs(cfg, B, T)*float64(b.N)/sec/1e9, "GFLOP/s")
}

// BenchmarkGenerate: greedy generation of a whole context (256 tokens)
// through the KV cache with llama2.c's stories15M shape, with float64
// weights (exact) and with float32 weights (llama2.c's precision).
func BenchmarkGenerate(b *testing.B) {
	cfg, _ := Preset("llama")
	cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = 32000, 256, 6, 6, 6, 288, 768
	m, err := New(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		cache func() *Cache
	}{{"float64", m.NewCache}, {"float32", m.NewCacheFloat32}} {
		b.Run("stories15M_llama_6x288/"+bc.name+"/"+Backend, func(b *testing.B) {
			c := bc.cache()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Reset()
				id := 1
				for c.Len() < cfg.Context {
					logits, err := c.Push(id)
					if err != nil {
						b.Fatal(err)
					}
					id = slices.Index(logits, slices.Max(logits)) // greedy
				}
			}
			sec := b.Elapsed().Seconds()
			tokps := float64(cfg.Context*b.N) / sec
			flops := 2 * float64(cfg.NumParams()-cfg.VocabSize*cfg.Dim) // a multiply-add per matrix weight per token (the input embedding is a lookup; attention is small here)
			b.ReportMetric(tokps, "tok/s")
			b.ReportMetric(flops*tokps/1e9, "GFLOP/s")
		})
	}
}
