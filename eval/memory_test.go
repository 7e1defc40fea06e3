package eval

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/internal/memory"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// TestBatchShapes: the shapes Windows runs a tiling in, worked out by hand.
func TestBatchShapes(t *testing.T) {
	cases := []struct {
		n, T, B int
		want    []shape
	}{
		{100, 8, 4, []shape{{4, 8}, {1, 3}}},         // 12 full windows (3 batches of 4), then 3 tokens
		{100, 8, 5, []shape{{5, 8}, {2, 8}, {1, 3}}}, // 12 = 5 + 5 + 2, then the short one
		{97, 8, 100, []shape{{12, 8}}},               // all twelve in one batch
		{2, 8, 3, []shape{{1, 1}}},
	}
	for _, c := range cases {
		if got := batchShapes(data.Tiling(c.n, c.T), c.B); !slices.Equal(got, c.want) {
			t.Errorf("batchShapes(Tiling(%d, %d), %d) = %v, want %v", c.n, c.T, c.B, got, c.want)
		}
	}
}

// TestWindowsKeepsTwoShapes measures what a model holds after Windows
// scored a tiling that ends with two smaller batches: the activations of
// the last two shapes, as WindowsMemory assumes (its figure is the largest
// such pair, here the first two).
func TestWindowsKeepsTwoShapes(t *testing.T) {
	cfg, _ := transformer.Preset("gpt")
	cfg.VocabSize, cfg.Context, cfg.Layers, cfg.Dim, cfg.FFDim = 256, 32, 2, 32, 128
	m, err := transformer.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	tokens := make([]int, 32*23+10) // 23 full windows and a short one: with B = 10, shapes (10,32) (3,32) (1,9)
	for i := range tokens {
		tokens[i] = rng.IntN(256)
	}
	windows := data.Tiling(len(tokens), 32)
	before := memory.LiveHeap()
	if _, err := Windows(m, tokenizer.Byte{}, tokens, windows, 10); err != nil {
		t.Fatal(err)
	}
	got := memory.LiveHeap() - before
	runtime.KeepAlive(m)
	shapes := batchShapes(windows, 10)
	if len(shapes) != 3 {
		t.Fatalf("shapes %v; the test wants three", shapes)
	}
	want := memory.Activations(cfg, shapes[1].B, shapes[1].T, false) + memory.Activations(cfg, shapes[2].B, shapes[2].T, false)
	if r := want / got; r < 0.95 || r > 1.1 {
		t.Errorf("the model keeps %.0f bytes after Windows; the last two shapes' activations are %.0f (ratio %.3f)", got, want, r)
	}
	first2 := memory.Activations(cfg, shapes[0].B, shapes[0].T, false) + memory.Activations(cfg, shapes[1].B, shapes[1].T, false) + 2*8*float64(shapes[0].B*shapes[0].T+shapes[1].B*shapes[1].T)
	if est := WindowsMemory(cfg, windows, 10); est != first2 {
		t.Errorf("WindowsMemory = %.0f, want the first two shapes' %.0f", est, first2)
	}
}

// TestCheckMemory: scoring a long text with a huge --batch on a small
// machine is refused with the figures and the advice; a modest batch is
// not.
func TestCheckMemory(t *testing.T) {
	defer memory.SetMachineForTest(memory.Limit{Bytes: 1e9, Source: "pretend"}, true)()
	cfg, _ := transformer.Preset("gpt")
	windows := data.Tiling(1_000_000, cfg.Context)
	err := checkMemory(cfg, windows, 1000000000, 1_000_000)
	if err == nil || !strings.Contains(err.Error(), "this machine has 1.0 GB (pretend)") || !strings.Contains(err.Error(), "lower --batch") {
		t.Errorf("checkMemory with --batch 1000000000 = %v; want a refusal naming the machine and --batch", err)
	}
	if err := checkMemory(cfg, windows, 16, 1_000_000); err != nil {
		t.Errorf("checkMemory with --batch 16 = %v; want nil", err)
	}
}
