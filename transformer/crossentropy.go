package transformer

import (
	"math"

	"github.com/tick-llm/tick/transformer/internal/exp32"
)

// Softmax cross-entropy over the logits (N x V), rows with target -1 not scored:
// forward:  p = softmax(z), loss_i = logΣexp(z) - z[target_i], loss = mean over scored rows
// backward: dz_i = (p_i - onehot(target_i)) / count for scored rows, 0 for the others
// probs and the per-row losses are kept; losses[i] is 0 where unscored.
// The maximum, the sum of exponentials and the losses are float64 in both
// precisions; probabilities and gradients are F.

// softmax writes p = softmax(z) (p may be z) and returns the maximum m of
// z and the sum s of exp(z - m): log Σ exp(z) = m + log s. Subtracting the
// maximum keeps every exponential in (0, 1], so none overflows.
//
// In float64 the exponentials are math.Exp's; float32 runs exp32.Softmax:
// float32 exponentials (within 1 ulp of float32) eight at a time in
// assembly, the maximum and the probabilities as here, the sum in float64
// over eight lanes in a fixed order.
func softmax[F float](p, z []F) (m, s float64) {
	if p32, ok := any(p).([]float32); ok {
		return exp32.Softmax(p32, any(z).([]float32))
	}
	m = math.Inf(-1)
	for _, x := range z {
		if float64(x) > m {
			m = float64(x)
		}
	}
	for j, x := range z {
		e := math.Exp(float64(x) - m)
		p[j] = F(e)
		s += e
	}
	inv := 1 / s
	for j := range p {
		p[j] = F(float64(p[j]) * inv)
	}
	return m, s
}

// crossEntropyForward fills probs and the per-row losses (targets nil:
// probabilities only, every loss 0).
func crossEntropyForward[F float](probs []F, losses []float64, logits []F, targets []int, n, v int) {
	for i := 0; i < n; i++ {
		z := logits[i*v : (i+1)*v]
		m, s := softmax(probs[i*v:(i+1)*v], z)
		losses[i] = 0
		if targets != nil && targets[i] >= 0 {
			losses[i] = m + math.Log(s) - float64(z[targets[i]])
		}
	}
}

// meanLoss is the mean of the losses of the scored rows (target >= 0), summed
// in row order, and their count; 0, 0 when no row is scored.
func meanLoss(losses []float64, targets []int) (mean float64, count int) {
	sum := 0.0
	for i, t := range targets {
		if t >= 0 {
			sum += losses[i]
			count++
		}
	}
	if count == 0 {
		return 0, 0
	}
	return sum / float64(count), count
}

// crossEntropyBackward writes (not adds) the logit gradients into dlogits.
func crossEntropyBackward[F float](dlogits, probs []F, targets []int, n, v, count int) {
	inv := F(1 / float64(count))
	for i := 0; i < n; i++ {
		d := dlogits[i*v : (i+1)*v]
		if targets[i] < 0 {
			clear(d)
			continue
		}
		for j, p := range probs[i*v : (i+1)*v] {
			d[j] = p * inv
		}
		d[targets[i]] -= inv
	}
}
