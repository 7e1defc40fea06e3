package transformer

import "fmt"

// This file opens two doors into the backward pass for losses that are not
// the mean next-token cross-entropy: preference losses (DPO) weight each
// position's log-probability by its own factor, and a reward model or a
// value head reads the final hidden state and sends a gradient back into it.

// Hidden returns the (B*T x Dim) output of the final norm of the last
// Forward, the state the output head reads, sharing memory with the model
// (a float64 copy in float32 compute; nil before any Forward).
func (m *Model) Hidden() []float64 {
	if m.a32 != nil {
		return m.view64("hidden", m.a32.hf)
	}
	if m.a == nil {
		return nil
	}
	return m.a.hf
}

// BackwardWeighted adds into Param.Grad the gradient of Σᵢ wᵢ·lossᵢ, where
// lossᵢ = −log p(targetᵢ) is position i's cross-entropy in the last Forward
// and w has one weight per position (B*T). Positions whose target was -1
// contribute nothing whatever their weight.
//
//	∂(wᵢ·lossᵢ)/∂logitᵢ = wᵢ·(softmax(logitᵢ) − onehot(targetᵢ))
func (m *Model) BackwardWeighted(w []float64) error {
	if a := m.a32; a != nil {
		if err := weightedLogits(a, w, m.Config.VocabSize); err != nil {
			return err
		}
		backwardLogits(m, a, m.w32, m.cos32, m.sin32, nil)
		return nil
	}
	a := m.a
	if a == nil {
		return fmt.Errorf("backward: no forward pass to differentiate")
	}
	if err := weightedLogits(a, w, m.Config.VocabSize); err != nil {
		return err
	}
	backwardLogits(m, a, m.weights64(), m.cos, m.sin, nil)
	return nil
}

// weightedLogits checks w and writes the logit gradients of Σᵢ wᵢ·lossᵢ
// into a.dlogits.
func weightedLogits[F float](a *acts[F], w []float64, V int) error {
	if a.targets == nil {
		return fmt.Errorf("backward: the last forward pass had no targets")
	}
	if len(w) != a.n {
		return fmt.Errorf("backward: %d weights for %d positions", len(w), a.n)
	}
	for i := range a.n {
		d := a.dlogits[i*V : (i+1)*V]
		t := a.targets[i]
		if t < 0 || w[i] == 0 {
			clear(d)
			continue
		}
		wi := F(w[i])
		for j, p := range a.probs[i*V : (i+1)*V] {
			d[j] = wi * p
		}
		d[t] -= wi
	}
	return nil
}

// BackwardHidden adds into Param.Grad the gradient of a loss whose
// gradient with respect to Hidden() is dh (B*T x Dim); the output head gets
// none. A scalar head on the hidden state (a reward model, a value head)
// computes dh and calls this.
func (m *Model) BackwardHidden(dh []float64) error {
	if a := m.a32; a != nil {
		if len(dh) != len(a.hf) {
			return fmt.Errorf("backward: hidden gradient of %d values for %d", len(dh), len(a.hf))
		}
		for i, v := range dh {
			a.dhf[i] = float32(v)
		}
		backwardHidden(m, a, m.w32, m.cos32, m.sin32, nil)
		return nil
	}
	a := m.a
	if a == nil {
		return fmt.Errorf("backward: no forward pass to differentiate")
	}
	if len(dh) != len(a.hf) {
		return fmt.Errorf("backward: hidden gradient of %d values for %d", len(dh), len(a.hf))
	}
	copy(a.dhf, dh)
	backwardHidden(m, a, m.weights64(), m.cos, m.sin, nil)
	return nil
}
