package train

import (
	"errors"
	"fmt"

	"github.com/tick-llm/tick/transformer"
)

// ErrDiverged is returned (wrapped) by Optimizer.Step when the loss or the
// gradient norm is NaN or infinite; the parameters are left unchanged.
var ErrDiverged = errors.New("training diverged")

// Optimizer makes optimiser steps on a model: zero the gradients, run
// forward and backward over one batch (or several, accumulated), clip the
// global gradient norm, and let AdamW move the parameters at the learning
// rate the schedule gives for the step. tick train and the demos share it.
type Optimizer struct {
	Model    *transformer.Model
	AdamW    *AdamW   // its moments and step count are the state a checkpoint saves
	Schedule Schedule // learning rate of each step
	Clip     float64  // maximum global gradient norm; 0 turns clipping off
	Seed     uint64   // seeds the dropout masks, a fresh set each step

	values, grads [][]float64 // the parameters' raw storage, in Params order
	decay         []bool

	// data parallelism (shards.go): replicas of Model made on first use,
	// and whether Model can have any
	reps       []*transformer.Model
	noReplicas bool
}

// NewOptimizer returns an Optimizer for m's parameters. opt holds the AdamW
// state (fresh from NewAdamWFor, or restored from a checkpoint).
func NewOptimizer(m *transformer.Model, opt *AdamW, sched Schedule, clip float64, seed uint64) (*Optimizer, error) {
	o := &Optimizer{Model: m, AdamW: opt, Schedule: sched, Clip: clip, Seed: seed}
	for _, p := range m.Trainable() {
		v, g := p.Value.RawMatrix(), p.Grad.RawMatrix()
		if v.Stride != v.Cols || g.Stride != g.Cols {
			return nil, fmt.Errorf("model parameter %s is not stored contiguously", p.Name)
		}
		o.values = append(o.values, v.Data)
		o.grads = append(o.grads, g.Data)
		o.decay = append(o.decay, p.Decay)
	}
	if err := opt.check(o.values, o.grads, o.decay); err != nil {
		return nil, err
	}
	return o, nil
}

// NewAdamWFor returns fresh AdamW state sized for m's parameters, with
// PyTorch's ε.
func NewAdamWFor(m *transformer.Model, beta1, beta2, weightDecay float64) *AdamW {
	var sizes []int
	for _, p := range m.Trainable() {
		sizes = append(sizes, p.Size())
	}
	return NewAdamW(sizes, beta1, beta2, adamEps, weightDecay)
}

// Step makes optimiser step number step (counted from 1) on one batch: x
// and y are B windows of T input and target tokens (target -1 scores
// nothing). It returns the batch's mean loss and the gradient norm before
// clipping.
func (o *Optimizer) Step(step int, x, y []int, B, T int) (loss, norm float64, err error) {
	return o.StepAccum(step, 1, B, T, func() ([]int, []int) { return x, y })
}

// StepAccum is Step on accum micro-batches drawn from next, each B windows
// of T tokens: the step follows the gradient of their mean loss, as one
// batch accum times larger would, in the memory of one.
func (o *Optimizer) StepAccum(step, accum, B, T int, next func() (x, y []int)) (loss, norm float64, err error) {
	if accum < 1 {
		return 0, 0, fmt.Errorf("gradient accumulation %d: it must be at least 1", accum)
	}
	seed := stepSeed(o.Seed, step)
	o.Model.SetTraining(true, seed)
	reps := o.sharers(B, T)
	sharded := len(reps) > 1
	if !sharded {
		o.Model.ZeroGrad() // a sharded pass writes its first micro-batch's gradient instead
	}
	var squares []float64 // sharded, one micro-batch: the norm comes with the gradient's sum
	if sharded && accum == 1 {
		squares = make([]float64, len(spansOf(o.grads)))
	}
	for i := range accum {
		x, y := next()
		var l float64
		var err error
		if sharded {
			l, err = o.shardedPass(reps, x, y, B, T, seed, i == 0, squares) // this micro-batch's gradient
		} else {
			l, err = o.Model.Forward(x, y, B, T)
			if err == nil {
				o.Model.Backward() // adds this micro-batch's gradient
			}
		}
		if err != nil {
			return 0, 0, err
		}
		loss += l
	}
	loss /= float64(accum)
	if accum > 1 {
		// Backward summed the micro-batch gradients; their mean is the
		// gradient of the mean loss.
		scaleAll(o.grads, 1/float64(accum))
	}
	if squares != nil {
		norm = normOf(squares)
		clipTo(o.grads, norm, o.Clip)
	} else {
		norm = ClipGlobalNorm(o.grads, o.Clip)
	}
	if !finite(loss) || !finite(norm) {
		return loss, norm, fmt.Errorf("%w at step %d: loss %g, gradient norm %g", ErrDiverged, step, loss, norm)
	}
	if err := o.AdamW.Update(o.values, o.grads, o.decay, o.Schedule.LR(step)); err != nil {
		return 0, 0, err
	}
	return loss, norm, nil
}

// stepSeed gives each step its own dropout masks, a pure function of the
// run's seed and the step number, so a resumed run draws the same masks.
func stepSeed(seed uint64, step int) uint64 {
	return seed*0x9e3779b97f4a7c15 + uint64(step)
}
