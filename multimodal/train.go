package multimodal

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tick-llm/tick/train"
)

// HeldOut draws n scenes of the task whose images are all different, from
// a source seeded by seed (its own stream, apart from training's), and
// returns them with the set of their images' contents (Image.Key). A
// Trainer given that set never trains on any of those images.
func HeldOut(task Task, n int, seed uint64) ([]Scene, map[string]bool, error) {
	if err := task.Validate(); err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x68656c64)) // "held"
	keys := map[string]bool{}
	var scenes []Scene
	for tries := 0; len(scenes) < n; tries++ {
		if tries > 20*n+1000 {
			return nil, nil, fmt.Errorf("held-out set: only %d different images found for %d wanted; ask for fewer", len(scenes), n)
		}
		s := RandomScene(rng, task.MaxObjects)
		if k := Render(s).Key(); !keys[k] {
			keys[k] = true
			scenes = append(scenes, s)
		}
	}
	return scenes, keys, nil
}

// Trainer trains a Model on examples drawn fresh every step, never one
// whose image is held out, with train's AdamW (β 0.9, 0.95, weight decay
// 0.1), gradients clipped to norm 1, and train's schedule: a warmup over
// the first tenth of the steps (at most 100), then a cosine to lr/10.
type Trainer struct {
	Model    *Model
	Batch    int
	AdamW    *train.AdamW
	Schedule train.Schedule
	Skipped  int // drawn images that were held out, so drawn again

	heldOut       map[string]bool
	rng           *rand.Rand
	values, grads [][]float64
	decay         []bool
	exs           []Example
}

// NewTrainer returns a trainer of m on batch examples a step for steps
// steps, at peak learning rate lr, drawing its examples from seed.
func NewTrainer(m *Model, heldOut map[string]bool, batch, steps int, lr float64, seed uint64) (*Trainer, error) {
	if batch < 1 || steps < 1 || !(lr > 0) {
		return nil, fmt.Errorf("trainer: batch %d, steps %d, learning rate %g: all must be positive", batch, steps, lr)
	}
	t := &Trainer{Model: m, Batch: batch, heldOut: heldOut,
		Schedule: train.Schedule{Max: lr, Min: lr / 10, Warmup: min(100, steps/10), Steps: steps},
		rng:      rand.New(rand.NewPCG(seed, 0x747261696e))} // "train"
	var sizes []int
	for _, p := range m.Params() {
		t.values = append(t.values, p.Value.RawMatrix().Data)
		t.grads = append(t.grads, p.Grad.RawMatrix().Data)
		t.decay = append(t.decay, p.Decay)
		sizes = append(sizes, p.Size())
	}
	t.AdamW = train.NewAdamW(sizes, 0.9, 0.95, 1e-8, 0.1)
	return t, nil
}

// Draw returns a new training example: a random scene whose image is not
// held out.
func (t *Trainer) Draw() Example {
	for {
		s := RandomScene(t.rng, t.Model.Task.MaxObjects)
		ex := t.Model.Task.Example(s, t.rng)
		if !t.heldOut[ex.Image.Key()] {
			return ex
		}
		t.Skipped++
	}
}

// Step makes optimiser step n (from 1) on a fresh batch and returns its
// loss and the gradient norm before clipping.
func (t *Trainer) Step(n int) (loss, norm float64, err error) {
	t.exs = t.exs[:0]
	for range t.Batch {
		t.exs = append(t.exs, t.Draw())
	}
	m := t.Model
	m.ZeroGrad()
	if loss, err = m.Loss(t.exs); err != nil {
		return 0, 0, err
	}
	if err := m.Backward(); err != nil {
		return 0, 0, err
	}
	norm = train.ClipGlobalNorm(t.grads, 1)
	if math.IsNaN(loss+norm) || math.IsInf(loss+norm, 0) {
		return loss, norm, fmt.Errorf("%w at step %d: loss %g, gradient norm %g", train.ErrDiverged, n, loss, norm)
	}
	if err := t.AdamW.Update(t.values, t.grads, t.decay, t.Schedule.LR(n)); err != nil {
		return 0, 0, err
	}
	return loss, norm, nil
}
