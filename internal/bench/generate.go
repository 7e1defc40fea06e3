package bench

import (
	"fmt"
	"io"

	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/generate"
	"github.com/tick-llm/tick/transformer/sample"
)

// GenShape is the model of a generation benchmark (a Llama block).
type GenShape struct {
	Layers, Heads, Dim, FFDim, Vocab, Context int
}

// Stories15M is llama2.c's stories15M shape: 6 layers, 6 heads, width 288,
// hidden 768, vocabulary 32,000, context 256.
var Stories15M = GenShape{Layers: 6, Heads: 6, Dim: 288, FFDim: 768, Vocab: 32000, Context: 256}

// GenShapes are the shapes of llama2.c's published TinyStories models, by
// name (hidden sizes as llama2.c's model.py computes them: 2/3 of 4 x
// width, rounded up to a multiple of 32).
var GenShapes = []Named[GenShape]{
	{"stories15M", Stories15M},
	{"stories42M", GenShape{Layers: 8, Heads: 8, Dim: 512, FFDim: 1376, Vocab: 32000, Context: 1024}},
	{"stories110M", GenShape{Layers: 12, Heads: 12, Dim: 768, FFDim: 2048, Vocab: 32000, Context: 1024}},
}

// GenShapeNamed returns the shape of GenShapes called name.
func GenShapeNamed(name string) (GenShape, error) { return shapeNamed(GenShapes, name) }

func (s GenShape) String() string {
	return fmt.Sprintf("%d layers x %d (%d heads, hidden %d), V %d", s.Layers, s.Dim, s.Heads, s.FFDim, s.Vocab)
}

// GeneratePeerTorch returns the PyTorch peer generating tokens greedily
// with shape s.
func GeneratePeerTorch(python string, s GenShape, tokens int) (Peer, error) {
	return newTorchPeer(python, generateTorchScript, tokens, s.Layers, s.Heads, s.Dim, s.FFDim, s.Vocab, s.Context)
}

// GeneratePeerLlama2c returns llama2.c's run binary run as path args...
// (which should hold a checkpoint of shape s, -t 0 for greedy and -n for the
// number of tokens).
func GeneratePeerLlama2c(path string, args []string) Peer {
	return &llama2cPeer{path: path, args: args}
}

// Generate times greedy generation of tokens tokens (at most s.Context)
// through transformer/generate's Generator, the path tick generate takes
// without --step (float32 weights and KV cache, Model.Float32Snapshot; the
// argmax of the logits, no softmax, as llama2.c's -t 0), and the peer, and
// writes the report to w.
func Generate(w io.Writer, s GenShape, tokens int, o Options) error {
	if tokens < 1 || tokens > s.Context-1 {
		return fmt.Errorf("%d tokens: give 1 to %d (the context is %d)", tokens, s.Context-1, s.Context)
	}
	cfg, err := transformer.Preset("llama")
	if err != nil {
		return err
	}
	cfg.Layers, cfg.Heads, cfg.KVHeads, cfg.Dim, cfg.FFDim = s.Layers, s.Heads, s.Heads, s.Dim, s.FFDim
	cfg.VocabSize, cfg.Context = s.Vocab, s.Context
	m, err := transformer.New(cfg, 1)
	if err != nil {
		return err
	}
	m.Float32Snapshot() // as tick generate loads a run
	fmt.Fprintf(w, "generation, %s: %d tokens greedily through the KV cache, tokens/s; %s\n", s, tokens, m.GenerationPath())
	greedy := generate.Options{Sample: sample.Options{Temperature: 0, TopP: 1}, ChoiceOnly: true} // as tick generate without --step
	gen := func() error {
		g, err := generate.New(m, []int{1}, greedy)
		if err != nil {
			return err
		}
		for range tokens {
			st, err := g.Propose()
			if err != nil {
				return err
			}
			if err := g.Accept(st.Chosen.ID); err != nil {
				return err
			}
		}
		return nil
	}
	if err := gen(); err != nil { // warm up outside the timing
		return err
	}
	return run(w, o, "tok/s", func(int) (float64, error) { return timeRate(tokens, gen) })
}
