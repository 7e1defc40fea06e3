package transformer

import "math"

// Softmax cross-entropy over the logits (N x V), rows with target -1 not scored:
// forward:  p = softmax(z), loss_i = logΣexp(z) - z[target_i], loss = mean over scored rows
// backward: dz_i = (p_i - onehot(target_i)) / count for scored rows, 0 for the others
// probs and the per-row losses are kept; losses[i] is 0 where unscored.

// crossEntropyForward returns the sum of the scored losses and their count.
func crossEntropyForward(probs, losses, logits []float64, targets []int, n, v int) (sum float64, count int) {
	for i := 0; i < n; i++ {
		z := logits[i*v : (i+1)*v]
		p := probs[i*v : (i+1)*v]
		m := math.Inf(-1)
		for _, x := range z {
			if x > m {
				m = x
			}
		}
		s := 0.0
		for j, x := range z {
			e := math.Exp(x - m)
			p[j] = e
			s += e
		}
		inv := 1 / s
		for j := range p {
			p[j] *= inv
		}
		losses[i] = 0
		if targets != nil && targets[i] >= 0 {
			losses[i] = m + math.Log(s) - z[targets[i]]
			sum += losses[i]
			count++
		}
	}
	return sum, count
}

// crossEntropyBackward writes (not adds) the logit gradients into dlogits.
func crossEntropyBackward(dlogits, probs []float64, targets []int, n, v, count int) {
	inv := 1 / float64(count)
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
