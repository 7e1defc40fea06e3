package train

import "fmt"

// StepGrad makes optimiser step number step with a gradient that fill
// computes: the gradients are zeroed and dropout seeded as Step does, then
// fill runs its own forward and backward passes (a loss that is not the
// next-token cross-entropy: DPO, a reward model, a policy gradient) and
// returns the loss; the gradient is clipped and AdamW moves the
// parameters. It returns the loss and the gradient norm before clipping.
func (o *Optimizer) StepGrad(step int, fill func() (float64, error)) (loss, norm float64, err error) {
	o.Model.ZeroGrad()
	o.Model.SetTraining(true, stepSeed(o.Seed, step))
	if loss, err = fill(); err != nil {
		return 0, 0, fmt.Errorf("step %d: %w", step, err)
	}
	norm = ClipGlobalNorm(o.grads, o.Clip)
	if !finite(loss) || !finite(norm) {
		return loss, norm, fmt.Errorf("%w at step %d: loss %g, gradient norm %g", ErrDiverged, step, loss, norm)
	}
	if err := o.AdamW.Update(o.values, o.grads, o.decay, o.Schedule.LR(step)); err != nil {
		return 0, 0, err
	}
	return loss, norm, nil
}
