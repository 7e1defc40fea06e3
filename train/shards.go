package train

import (
	"runtime"
	"sync"

	"github.com/tick-llm/tick/transformer"
)

// Data parallelism on one machine (transformer/replica.go says why): a
// batch of B windows is cut into shards of whole windows, each shard runs
// Forward and Backward on its own replica of the model at the same time as
// the others, and the replicas' gradients are added into the model's, each
// weighted by the share of scored positions it holds, so their sum is the
// gradient of the whole batch's mean loss.
//
// The number of shards depends on the batch's shape only, never on the
// number of cores, so a run gives the same bits on any machine: on one core
// the shards run one after the other, on more the cores left over after one
// per shard split each shard's layers.

// shardRows is the fewest positions a shard holds: below it a share's
// matrix products are too thin to keep a core busy. (A variable so that
// tests can shard tiny batches.)
var shardRows = 256

// maxShards bounds the replicas, each holding a float64 gradient of every
// parameter: 4 keeps that memory small beside the activations.
const maxShards = 4

// shardsFor is how many shards a batch of B windows of T tokens is cut
// into: the largest power of two up to maxShards and B with at least
// shardRows positions per shard (1: no replicas).
func shardsFor(B, T int) int {
	s := 1
	for 2*s <= min(maxShards, B) && 2*s*shardRows <= B*T {
		s *= 2
	}
	return s
}

// shard is the range of windows [lo, hi) of a batch of B that shard i of n holds.
func shard(i, n, B int) (lo, hi int) { return B * i / n, B * (i + 1) / n }

// shardSeed gives shard i its own dropout masks within a step.
func shardSeed(stepSeed uint64, i int) uint64 {
	return stepSeed ^ (uint64(i+1) * 0xbf58476d1ce4e5b9)
}

// replicas returns n replicas of the model, made on first use, with the
// model's precision; ok is false when the model has none (LoRA adapters,
// quantized weights: it trains without shards).
func (o *Optimizer) replicas(n int) (reps []*transformer.Model, ok bool) {
	if o.noReplicas {
		return nil, false
	}
	for len(o.reps) < n {
		r, err := o.Model.Replica()
		if err != nil {
			o.noReplicas = true
			return nil, false
		}
		o.reps = append(o.reps, r)
	}
	inner := innerWorkers(n)
	for _, r := range o.reps[:n] {
		if r.Compute() != o.Model.Compute() {
			if err := r.SetCompute(o.Model.Compute()); err != nil {
				return nil, false
			}
		}
		r.SetWorkers(inner)
	}
	return o.reps[:n], true
}

// innerWorkers is the goroutines each of n replicas spreads its layers
// over: the cores left over after one per shard, shared out.
func innerWorkers(n int) int { return max(1, runtime.GOMAXPROCS(0)/n) }

// sharers are the models that share a batch of B windows of T tokens:
// its replicas when such a batch is cut into shards, else the model alone.
// Evaluation reads its batches through them too (eval.WindowsShared): the
// replicas already hold buffers of the shards' shapes.
func (o *Optimizer) sharers(B, T int) []*transformer.Model {
	if n := shardsFor(B, T); n > 1 {
		if reps, ok := o.replicas(n); ok {
			return reps
		}
	}
	return []*transformer.Model{o.Model}
}

// shardedPass runs Forward and Backward of one batch on n replicas at once
// and adds the batch's gradient into the model's. It returns the batch's
// mean loss over its scored positions, as one Forward of the whole batch
// would. seed is the step's dropout seed; first says this is the step's
// first micro-batch: the replicas' dropout restarts from the seed, and the
// gradient is written into the model's, not added (no ZeroGrad before).
// With squares not nil (one span's worth each, spansOf(o.grads)), the
// sums of squares of the model's gradient are written there in the same
// pass, as GlobalNorm computes them.
func (o *Optimizer) shardedPass(reps []*transformer.Model, x, y []int, B, T int, seed uint64, first bool, squares []float64) (float64, error) {
	n := len(reps)
	losses, counts, errs := make([]float64, n), make([]int, n), make([]error, n)
	parts := make([][]transformer.GradientPart, n)
	var wg sync.WaitGroup
	for i, r := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := shard(i, n, B)
			if first {
				r.SetTraining(true, shardSeed(seed, i))
			}
			r.ZeroGrad()
			losses[i], errs[i] = r.Forward(x[lo*T:hi*T], y[lo*T:hi*T], hi-lo, T)
			if errs[i] == nil {
				r.Backward()
				counts[i] = scored(y[lo*T : hi*T])
				parts[i] = r.GradientParts()
			}
		}()
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			return 0, err
		}
		total += counts[i]
	}
	if total == 0 { // nothing scored: the loss is the constant 0, no gradient
		if first {
			o.Model.ZeroGrad()
		}
		if squares != nil {
			clear(squares)
		}
		return 0, nil
	}
	// Each replica's loss and gradient are its shard's mean; shard i holds
	// counts[i]/total of the batch's scored positions.
	weights := make([]float64, n)
	loss := 0.0
	for i := range reps {
		weights[i] = float64(counts[i]) / float64(total)
		loss += weights[i] * losses[i]
	}
	addWeighted(o.grads, parts, weights, first, squares)
	return loss, nil
}

// scored counts the targets that are scored (not -1).
func scored(y []int) int {
	n := 0
	for _, t := range y {
		if t >= 0 {
			n++
		}
	}
	return n
}

// addWeighted adds Σ_i weights[i]·(the gradient srcs[i] describes) into
// dst (overwrite: writes it there), the terms in shard order for every
// value, spread over the cores by span; with sq not nil it also writes
// each span's sum of squares of the result, while the span is in cache.
// A replica's gradient comes in two parts (transformer.GradientPart): the
// float64 one and its float32 weight gradients, added as g64 + g32.
func addWeighted(dst [][]float64, srcs [][]transformer.GradientPart, weights []float64, overwrite bool, sq []float64) {
	forEachSpan(spansOf(dst), func(n int, c span) {
		d := dst[c.i][c.lo:c.hi]
		if overwrite {
			clear(d)
		}
		for s, src := range srcs {
			w, g64, g32 := weights[s], src[c.i].Grad64, src[c.i].Grad32
			switch {
			case g64 != nil && g32 != nil:
				g64, g32 := g64[c.lo:c.hi], g32[c.lo:c.hi]
				for j := range d {
					d[j] += w * (g64[j] + float64(g32[j]))
				}
			case g32 != nil:
				g32 := g32[c.lo:c.hi]
				for j := range d {
					d[j] += w * float64(g32[j])
				}
			case g64 != nil:
				g64 := g64[c.lo:c.hi]
				for j := range d {
					d[j] += w * g64[j]
				}
			}
		}
		if sq != nil {
			sq[n] = squares(d)
		}
	})
}
