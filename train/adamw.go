package train

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tick-llm/tick/train/internal/adamw"
	"gonum.org/v1/gonum/floats"
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
// whose size carries no risk of overfitting). Every weight's update depends
// only on its own value, gradient and moments, so the work is split over
// the cores in chunks; the result is the same on any number of cores.
func (o *AdamW) Update(values, grads [][]float64, decay []bool, lr float64) error {
	if err := o.check(values, grads, decay); err != nil {
		return err
	}
	o.T++
	k := o.coefficients(lr)
	forEachSpan(spansOf(values), func(_ int, c span) {
		k.update(values[c.i][c.lo:c.hi], grads[c.i][c.lo:c.hi], o.M[c.i][c.lo:c.hi], o.V[c.i][c.lo:c.hi], decay[c.i])
	})
	return nil
}

// span is a run of at most spanSize values of parameter i: the unit of
// work one goroutine takes. Spans depend only on the parameter sizes, never
// on the number of cores.
type span struct{ i, lo, hi int }

const spanSize = 1 << 15

func spansOf(params [][]float64) []span {
	var spans []span
	for i, p := range params {
		for lo := 0; lo < len(p); lo += spanSize {
			spans = append(spans, span{i, lo, min(lo+spanSize, len(p))})
		}
	}
	return spans
}

// forEachSpan calls fn for every span, spread over GOMAXPROCS goroutines.
func forEachSpan(spans []span, fn func(n int, s span)) {
	workers := min(runtime.GOMAXPROCS(0), len(spans))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := int(next.Add(1)) - 1
				if n >= len(spans) {
					return
				}
				fn(n, spans[n])
			}
		}()
	}
	wg.Wait()
}

// updateSerial is Update on one core, one parameter after another: the
// plain version the parallel one is tested against.
func (o *AdamW) updateSerial(values, grads [][]float64, decay []bool, lr float64) error {
	if err := o.check(values, grads, decay); err != nil {
		return err
	}
	o.T++
	k := o.coefficients(lr)
	for i := range values {
		k.update(values[i], grads[i], o.M[i], o.V[i], decay[i])
	}
	return nil
}

func (o *AdamW) check(values, grads [][]float64, decay []bool) error {
	if len(values) != len(o.M) || len(grads) != len(o.M) || len(decay) != len(o.M) {
		return fmt.Errorf("adamw: %d parameters, %d gradients, %d decay flags for an optimiser of %d", len(values), len(grads), len(decay), len(o.M))
	}
	for i, p := range values {
		if len(p) != len(o.M[i]) || len(grads[i]) != len(o.M[i]) {
			return fmt.Errorf("adamw: parameter %d has %d values and %d gradients, want %d", i, len(p), len(grads[i]), len(o.M[i]))
		}
	}
	return nil
}

// adamStep holds the scalars of one update.
type adamStep struct {
	lr, b1, b2, eps, wd float64
	c1, c2              float64 // bias corrections 1-β1ᵗ, 1-β2ᵗ: the moments start at 0
}

func (o *AdamW) coefficients(lr float64) adamStep {
	return adamStep{lr: lr, b1: o.Beta1, b2: o.Beta2, eps: o.Eps, wd: o.WeightDecay,
		c1: 1 - math.Pow(o.Beta1, float64(o.T)), c2: 1 - math.Pow(o.Beta2, float64(o.T))}
}

// update applies the step to one run of weights p with gradients g and
// moments m, v: with AVX2 four weights at a time in internal/adamw (the
// same operations as updateGo, so the same bits), the rest in updateGo.
func (k adamStep) update(p, g, m, v []float64, decay bool) {
	shrink, stepSize, sqrtC2 := k.scalars(decay)
	n := adamw.Step(p, g, m, v, &adamw.Coeffs{B1: k.b1, OneMinusB1: 1 - k.b1, B2: k.b2, OneMinusB2: 1 - k.b2,
		Shrink: shrink, StepSize: stepSize, SqrtC2: sqrtC2, Eps: k.eps})
	k.updateGo(p[n:], g[n:], m[n:], v[n:], decay)
}

// scalars are the per-run factors of the update: the decay's shrink, the
// step size lr/c1 and √c2.
func (k adamStep) scalars(decay bool) (shrink, stepSize, sqrtC2 float64) {
	shrink = 1.0
	if decay {
		shrink = 1 - k.lr*k.wd
	}
	// As torch.optim.AdamW: step = lr/c1 · m / (√v/√c2 + ε), one division
	// per weight.
	return shrink, k.lr / k.c1, math.Sqrt(k.c2)
}

// updateGo is update one weight at a time in Go: the reference.
func (k adamStep) updateGo(p, g, m, v []float64, decay bool) {
	shrink, stepSize, sqrtC2 := k.scalars(decay)
	for j := range p {
		m[j] = k.b1*m[j] + (1-k.b1)*g[j]
		v[j] = k.b2*v[j] + (1-k.b2)*g[j]*g[j]
		p[j] = p[j]*shrink - stepSize*m[j]/(math.Sqrt(v[j])/sqrtC2+k.eps)
	}
}

// GlobalNorm is the Euclidean norm of all gradients taken together. Each
// span's sum of squares is computed on its own and the sums are added in
// span order, so the result is the same on any number of cores. A span's
// sum is gonum's floats.Dot of the span with itself: 4 lanes side by side
// (SSE2 on amd64) in an order fixed by the length, a function of the data
// only, 2.5 times faster than one add chain (measured, 813K values).
func GlobalNorm(grads [][]float64) float64 {
	spans := spansOf(grads)
	partial := make([]float64, len(spans))
	forEachSpan(spans, func(n int, c span) {
		partial[n] = squares(grads[c.i][c.lo:c.hi])
	})
	return normOf(partial)
}

// squares is the sum of squares of one span.
func squares(x []float64) float64 { return floats.Dot(x, x) }

// normOf is the norm whose spans' sums of squares are partial, added in
// span order.
func normOf(partial []float64) float64 {
	sum := 0.0
	for _, p := range partial {
		sum += p
	}
	return math.Sqrt(sum)
}

// ClipGlobalNorm scales every gradient by maxNorm/norm when the global norm
// exceeds maxNorm (maxNorm <= 0 turns clipping off), so one bad batch cannot
// throw the weights far. It returns the norm before clipping.
func ClipGlobalNorm(grads [][]float64, maxNorm float64) float64 {
	norm := GlobalNorm(grads)
	clipTo(grads, norm, maxNorm)
	return norm
}

// clipTo scales the gradients, whose global norm is norm, by maxNorm/norm
// when norm exceeds maxNorm > 0.
func clipTo(grads [][]float64, norm, maxNorm float64) {
	if maxNorm > 0 && norm > maxNorm {
		scaleAll(grads, maxNorm/norm)
	}
}

// scaleAll multiplies every value by scale.
func scaleAll(xs [][]float64, scale float64) {
	forEachSpan(spansOf(xs), func(_ int, c span) {
		for j := range xs[c.i][c.lo:c.hi] {
			xs[c.i][c.lo+j] *= scale
		}
	})
}
