package train

import (
	"fmt"
	"math"
)

// AdamW is the Adam optimiser with decoupled weight decay (Loshchilov &
// Hutter, 2019), as torch.optim.AdamW computes it. For every parameter p with
// gradient g, at update t (1-based) with learning rate lr:
//
//	p ← p − lr·λ·p                      (decay, only where decay is on)
//	m ← β1·m + (1−β1)·g                 (first moment: mean of g)
//	v ← β2·v + (1−β2)·g²                (second moment: mean of g²)
//	p ← p − lr · (m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε)
//
// Decay is "decoupled" because it shrinks the weights directly instead of
// being added to g, so Adam's per-weight scaling does not weaken it.
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64
	// T is the number of updates made so far (t in the bias correction).
	T int
	// M and V hold the moments, one slice per parameter, in parameter order.
	M, V [][]float64
}

// NewAdamW returns an optimiser for parameters of the given sizes (number of
// values each), with zero moments.
func NewAdamW(sizes []int, beta1, beta2, eps, weightDecay float64) *AdamW {
	o := &AdamW{Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: weightDecay}
	for _, n := range sizes {
		o.M = append(o.M, make([]float64, n))
		o.V = append(o.V, make([]float64, n))
	}
	return o
}

// Update makes one step: values[i] moves against grads[i]; decay[i] says
// whether weight decay applies to parameter i (off for biases and norm gains,
// whose size carries no risk of overfitting).
func (o *AdamW) Update(values, grads [][]float64, decay []bool, lr float64) error {
	if len(values) != len(o.M) || len(grads) != len(o.M) || len(decay) != len(o.M) {
		return fmt.Errorf("adamw: %d parameters, %d gradients, %d decay flags for an optimiser of %d", len(values), len(grads), len(decay), len(o.M))
	}
	o.T++
	c1 := 1 - math.Pow(o.Beta1, float64(o.T)) // bias corrections: the moments start at 0
	c2 := 1 - math.Pow(o.Beta2, float64(o.T))
	for i, p := range values {
		g, m, v := grads[i], o.M[i], o.V[i]
		if len(p) != len(m) || len(g) != len(m) {
			return fmt.Errorf("adamw: parameter %d has %d values and %d gradients, want %d", i, len(p), len(g), len(m))
		}
		shrink := 1.0
		if decay[i] {
			shrink = 1 - lr*o.WeightDecay
		}
		for j := range p {
			m[j] = o.Beta1*m[j] + (1-o.Beta1)*g[j]
			v[j] = o.Beta2*v[j] + (1-o.Beta2)*g[j]*g[j]
			p[j] = p[j]*shrink - lr*(m[j]/c1)/(math.Sqrt(v[j]/c2)+o.Eps)
		}
	}
	return nil
}

// GlobalNorm is the Euclidean norm of all gradients taken together, summed in
// parameter order so the result does not depend on scheduling.
func GlobalNorm(grads [][]float64) float64 {
	sum := 0.0
	for _, g := range grads {
		for _, x := range g {
			sum += x * x
		}
	}
	return math.Sqrt(sum)
}

// ClipGlobalNorm scales every gradient by maxNorm/norm when the global norm
// exceeds maxNorm (maxNorm <= 0 turns clipping off), so one bad batch cannot
// throw the weights far. It returns the norm before clipping.
func ClipGlobalNorm(grads [][]float64, maxNorm float64) float64 {
	norm := GlobalNorm(grads)
	if maxNorm > 0 && norm > maxNorm {
		scale := maxNorm / norm
		for _, g := range grads {
			for j := range g {
				g[j] *= scale
			}
		}
	}
	return norm
}
