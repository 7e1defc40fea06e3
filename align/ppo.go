package align

import (
	"math"

	"github.com/tick-llm/tick/transformer"
)

// PPOGrad adds into m's gradients the gradient of PPO's clipped surrogate
// over the reply tokens of b (RLHF uses it when RLPlan.PPOEpochs > 0):
//
//	ρₜ = exp(log π(yₜ) − log π_old(yₜ))
//	L  = −(1/n) Σₜ min(ρₜ·Aₜ, clip(ρₜ, 1−ε, 1+ε)·Aₜ)
//
// oldLogp holds log π_old of every position of b (B*T, ignored where the
// target is -1) and adv one advantage per row, shared by its tokens; n is
// the number of reply tokens. It returns L and the fraction of tokens whose
// ratio was clipped (the term without gradient).
func PPOGrad(m *transformer.Model, b Batch, oldLogp, adv []float64, eps float64) (loss, clipFrac float64, err error) {
	loss, clipFrac, w, err := ppoSurrogate(m, b, oldLogp, adv, eps)
	if err != nil {
		return 0, 0, err
	}
	return loss, clipFrac, m.BackwardWeighted(w)
}

// ppoSurrogate runs m on b and returns PPO's loss, the clip fraction and
// the weight of each position for BackwardWeighted.
func ppoSurrogate(m *transformer.Model, b Batch, oldLogp, adv []float64, eps float64) (loss, clipFrac float64, w []float64, err error) {
	if _, err := m.Forward(b.X, b.Y, b.B, b.T); err != nil {
		return 0, 0, nil, err
	}
	losses := m.PositionLosses()
	w = make([]float64, b.B*b.T)
	n := 0.0
	for _, y := range b.Y {
		if y >= 0 {
			n++
		}
	}
	for i, y := range b.Y {
		if y < 0 {
			continue
		}
		a := adv[i/b.T]
		rho := math.Exp(-losses[i] - oldLogp[i])
		c := min(max(rho, 1-eps), 1+eps)
		if c*a < rho*a { // the clipped term is the minimum: no gradient
			loss -= c * a / n
			clipFrac += 1 / n
			continue
		}
		loss -= rho * a / n
		// ∂L/∂log πₜ = −ρₜ·Aₜ/n, and log πₜ = −lossₜ
		w[i] = rho * a / n
	}
	return loss, clipFrac, w, nil
}
