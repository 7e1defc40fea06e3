package bench

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/tick-llm/tick/train"
	"github.com/tick-llm/tick/transformer"
)

// TrainShape is the model and batch of a training benchmark, and the
// precision tick computes it in (PyTorch's peer computes in float32).
type TrainShape struct {
	Layers, Heads, Dim, Context, Batch, Vocab int
	Precision                                 transformer.Precision
}

// NanoGPT is the nanoGPT CPU recipe's shape (4 layers, 4 heads, width 128,
// context 64, batch 12) over a 256-symbol vocabulary, the shape of issue 16,
// in float32 as tick train runs it.
var NanoGPT = TrainShape{Layers: 4, Heads: 4, Dim: 128, Context: 64, Batch: 12, Vocab: 256, Precision: transformer.Float32}

// TrainShapes are the shapes tick bench train knows, by name: nanoGPT's
// CPU recipe, and llm.c's own CPU run (train_gpt2.c's main: GPT-2 small,
// 12 layers x 768, 12 heads, over GPT-2's 50,257 tokens, B 4, T 64).
var TrainShapes = []Named[TrainShape]{
	{"nanogpt", NanoGPT},
	{"gpt2-124M", TrainShape{Layers: 12, Heads: 12, Dim: 768, Context: 64, Batch: 4, Vocab: 50257, Precision: transformer.Float32}},
}

// TrainShapeNamed returns the shape of TrainShapes called name.
func TrainShapeNamed(name string) (TrainShape, error) { return shapeNamed(TrainShapes, name) }

func (s TrainShape) String() string {
	return fmt.Sprintf("%d layers x %d (%d heads), T %d, B %d, V %d", s.Layers, s.Dim, s.Heads, s.Context, s.Batch, s.Vocab)
}

// TrainPeerTorch returns the PyTorch peer for shape s, timing steps
// optimiser steps per run.
func TrainPeerTorch(python string, s TrainShape, steps int) (Peer, error) {
	return newTorchPeer(python, trainTorchScript, steps, s.Layers, s.Heads, s.Dim, s.Context, s.Batch, s.Vocab)
}

// TrainPeerLLMC returns an llm.c trainer run as path args...; each of its
// steps must be the same work as shape s's (B*T tokens).
func TrainPeerLLMC(path string, args []string, s TrainShape) Peer {
	return &llmcPeer{path: path, args: args, stepTokens: s.Batch * s.Context}
}

// Train times steps whole optimiser steps of tick (zero the gradients,
// forward, backward, clip the global norm to 1, AdamW) on shape s, and the
// peer on the same shape, and writes the report to w.
func Train(w io.Writer, s TrainShape, steps int, o Options) error {
	if steps < 1 {
		return fmt.Errorf("%d steps: need at least 1", steps)
	}
	cfg, err := transformer.Preset("gpt")
	if err != nil {
		return err
	}
	cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = s.Layers, s.Heads, s.Heads, s.Dim, 4*s.Dim
	cfg.Context, cfg.VocabSize = s.Context, s.Vocab
	fmt.Fprintf(w, "training step, %s: tokens/s over %d whole optimiser steps (forward, backward, clipping, AdamW), backend %s, tick computing in %s\n", s, steps, transformer.Backend, s.Precision)
	tickRun := func(threads int) (float64, error) {
		// A fresh model per run: its workers follow GOMAXPROCS.
		m, err := transformer.New(cfg, 1)
		if err != nil {
			return 0, err
		}
		if err := m.SetCompute(s.Precision); err != nil {
			return 0, err
		}
		opt, err := train.NewOptimizer(m, train.NewAdamWFor(m, 0.9, 0.99, 0.1), train.Schedule{Max: 1e-3, Min: 1e-4, Warmup: 0, Steps: 1 << 30}, 1.0, 1)
		if err != nil {
			return 0, err
		}
		rng := rand.New(rand.NewPCG(1, 2))
		x, y := make([]int, s.Batch*s.Context), make([]int, s.Batch*s.Context)
		for i := range x {
			x[i], y[i] = rng.IntN(s.Vocab), rng.IntN(s.Vocab)
		}
		if _, _, err := opt.Step(1, x, y, s.Batch, s.Context); err != nil { // allocate outside the timing
			return 0, err
		}
		return timeRate(steps*s.Batch*s.Context, func() error {
			for i := range steps {
				if _, _, err := opt.Step(i+2, x, y, s.Batch, s.Context); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return run(w, o, "tok/s", tickRun)
}
