package align

import (
	"fmt"

	"github.com/tick-llm/tick/transformer"
)

// ValueModel is PPO's critic: a transformer with a scalar head on every
// position, V(sₜ) = w·hₜ + b, hₜ the final-normed hidden state after
// reading the conversation up to position t, an estimate of the return
// still to come before reply token t is chosen.
//
// It is a separate model started from the reward model, as InstructGPT
// does, rather than a second head on the policy: the reward model already
// reads conversations and its head already maps a state to the reward, so
// the values start near the returns instead of at random; and the value
// loss cannot pull the policy's weights (no coefficient to weigh the two
// losses, and the policy's gradient is exactly the policy objective's, which
// the gradient checks test). The cost is one more forward and backward of a
// model the policy's size per update, small at this scale.
type ValueModel struct {
	Model *transformer.Model
	W     []float64 // Dim
	B     float64
	// GradW and GradB hold the head's gradients after Grad.
	GradW []float64
	GradB float64
}

// NewValueModel starts a value model as a copy of the reward model, its
// transformer and its head.
func NewValueModel(rm *RewardModel) (*ValueModel, error) {
	c, err := Clone(rm.Model)
	if err != nil {
		return nil, fmt.Errorf("value model: %w", err)
	}
	D := c.Config.Dim
	if len(rm.W) != D {
		return nil, fmt.Errorf("value model: the reward head has %d weights for a model of width %d", len(rm.W), D)
	}
	return &ValueModel{Model: c, W: append([]float64(nil), rm.W...), B: rm.B, GradW: make([]float64, D)}, nil
}

// Values runs the value model on b and returns V at every position (B*T),
// 0 where b scores no token. The model keeps the activations, so Grad's
// backward can follow.
func (vm *ValueModel) Values(b Batch) ([]float64, error) {
	if _, err := vm.Model.Forward(b.X, nil, b.B, b.T); err != nil {
		return nil, fmt.Errorf("value model: %w", err)
	}
	h, D := vm.Model.Hidden(), vm.Model.Config.Dim
	v := make([]float64, b.B*b.T)
	for i, y := range b.Y {
		if y < 0 {
			continue
		}
		s := vm.B
		for j, w := range vm.W {
			s += w * h[i*D+j] // V = w·h + b
		}
		v[i] = s
	}
	return v, nil
}

// ValueLoss is PPO's clipped value loss over the scored positions of y
// (y[i] ≥ 0), n of them, with V the values now, vOld those at sampling
// time and ret the returns they regress on:
//
//	Vc = vOld + clip(V − vOld, −c, c)
//	L  = (1/2n) Σₜ max((V − R)², (Vc − R)²)
//
// The clip keeps one batch from moving a value far from where it was, as
// the ratio clip does for the policy. It returns L, ∂L/∂V and the fraction
// of positions whose clipped term was the larger (no gradient there).
func ValueLoss(v, vOld, ret []float64, y []int, c float64) (loss float64, dv []float64, clipFrac float64) {
	n := 0.0
	for _, t := range y {
		if t >= 0 {
			n++
		}
	}
	dv = make([]float64, len(v))
	for i, t := range y {
		if t < 0 {
			continue
		}
		vc := vOld[i] + min(max(v[i]-vOld[i], -c), c)
		u, k := (v[i]-ret[i])*(v[i]-ret[i]), (vc-ret[i])*(vc-ret[i])
		if k > u { // the clipped term is the maximum: Vc does not move with V
			loss += k / (2 * n)
			clipFrac += 1 / n
			continue
		}
		loss += u / (2 * n)
		dv[i] = (v[i] - ret[i]) / n
	}
	return loss, dv, clipFrac
}

// Grad adds the clipped value loss's gradient over b into the
// transformer's parameter gradients and sets GradW, GradB (zeroing both
// first). vOld and ret are per position, as ValueLoss takes them. It
// returns the loss and its clip fraction.
func (vm *ValueModel) Grad(b Batch, vOld, ret []float64, c float64) (loss, clipFrac float64, err error) {
	v, err := vm.Values(b)
	if err != nil {
		return 0, 0, err
	}
	loss, dv, clipFrac := ValueLoss(v, vOld, ret, b.Y, c)
	h, D := vm.Model.Hidden(), vm.Model.Config.Dim
	dh := make([]float64, len(h))
	clear(vm.GradW)
	vm.GradB = 0
	// V = w·h + b:  ∂V/∂h = w, ∂V/∂w = h, ∂V/∂b = 1
	for i, g := range dv {
		if g == 0 {
			continue
		}
		for j := range D {
			dh[i*D+j] = g * vm.W[j]
			vm.GradW[j] += g * h[i*D+j]
		}
		vm.GradB += g
	}
	if err := vm.Model.BackwardHidden(dh); err != nil {
		return 0, 0, fmt.Errorf("value model: %w", err)
	}
	return loss, clipFrac, nil
}

// ExplainedVariance is 1 − Var(R − V)/Var(R) over the scored positions of
// y: 1 when the values predict the returns exactly, 0 when they do no
// better than the mean return, negative when worse. It is 0 when the
// returns do not vary.
func ExplainedVariance(v, ret []float64, y []int) float64 {
	var n, mr, md float64
	for i, t := range y {
		if t >= 0 {
			n++
			mr += ret[i]
			md += ret[i] - v[i]
		}
	}
	if n == 0 {
		return 0
	}
	mr, md = mr/n, md/n
	var vr, vd float64
	for i, t := range y {
		if t >= 0 {
			vr += (ret[i] - mr) * (ret[i] - mr)
			d := ret[i] - v[i] - md
			vd += d * d
		}
	}
	if vr == 0 {
		return 0
	}
	return 1 - vd/vr
}
