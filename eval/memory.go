package eval

import (
	"fmt"

	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/internal/memory"
	"github.com/tick-llm/tick/transformer"
)

// shape is the (B, T) of one forward pass.
type shape struct{ B, T int }

// batchShapes lists the shapes Windows runs, in order, each once per run
// of batches of that shape.
func batchShapes(windows []data.Window, B int) []shape {
	var shapes []shape
	for i := 0; i < len(windows); {
		T := windows[i].Len
		j := i
		for j < len(windows) && j-i < B && windows[j].Len == T {
			j++
		}
		if s := (shape{j - i, T}); len(shapes) == 0 || shapes[len(shapes)-1] != s {
			shapes = append(shapes, s)
		}
		i = j
	}
	return shapes
}

// WindowsMemory estimates the memory Windows needs beyond the model to
// score windows B at a time with a model of configuration cfg: the
// activations of its forward passes (a model keeps those of its last two
// batch shapes, so the largest two consecutive shapes count) and each
// batch's token ids.
func WindowsMemory(cfg transformer.Config, windows []data.Window, B int) float64 {
	shapes := batchShapes(windows, B)
	most, prev := 0.0, 0.0
	for _, s := range shapes {
		a := memory.Activations(cfg, s.B, s.T, false) + 2*8*float64(s.B)*float64(s.T) // + x and y
		most = max(most, a+prev)
		prev = a
	}
	return most
}

// checkMemory refuses to score when the forward passes would not fit
// beside what is loaded already (the checkpoint: the model, its gradients
// and the optimiser's moments; the text's tokens).
func checkMemory(cfg transformer.Config, windows []data.Window, B, tokens int) error {
	passes := WindowsMemory(cfg, windows, B)
	loaded := memory.Model(cfg) + 2*8*memory.Params(cfg) + 8*float64(tokens)
	err := memory.Check(passes + loaded)
	if err == nil {
		return nil
	}
	largest := batchShapes(windows, B)[0]
	return fmt.Errorf("scoring %d windows %d at a time %s (the activations of a batch of %d windows x %d tokens: %s); lower --batch, which changes only the speed",
		len(windows), B, err, largest.B, largest.T, memory.Format(memory.Activations(cfg, largest.B, largest.T, false)))
}
