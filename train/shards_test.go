package train

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

func TestShardsFor(t *testing.T) {
	for _, c := range []struct{ B, T, want int }{
		{12, 64, 2}, // the nanoGPT recipe: 768 positions, two shards of 6 windows
		{4, 6, 1},   // too few positions to share
		{2, 128, 1}, // 256 positions: one shard's worth
		{3, 256, 2}, // shards of 1 and 2 windows
		{8, 256, 4}, // capped at maxShards
		{64, 256, 4},
		{1, 1024, 1}, // one window cannot be split
	} {
		if got := shardsFor(c.B, c.T); got != c.want {
			t.Errorf("shardsFor(%d, %d) = %d, want %d", c.B, c.T, got, c.want)
		}
	}
}

// withShardRows lowers the positions a shard needs so tiny batches are
// sharded, for the test's duration.
func withShardRows(t *testing.T, rows int) {
	prev := shardRows
	shardRows = rows
	t.Cleanup(func() { shardRows = prev })
}

// shardBatch is a batch of B windows of T tokens over vocabulary 11 whose
// first window scores only two positions (the rest -1), so the shards
// score different numbers of positions and their weights differ.
func shardBatch(B, T int) (x, y []int) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, y = make([]int, B*T), make([]int, B*T)
	for i := range x {
		x[i], y[i] = rng.IntN(11), rng.IntN(11)
	}
	for i := 2; i < T; i++ {
		y[i] = -1
	}
	return x, y
}

// TestShardedStepMatchesWholeBatch: steps whose batch is cut into shards on
// replicas follow the whole batch's gradient (float64: to rounding), with
// uneven shards and unevenly scored ones, with and without clipping and
// accumulation: the loss, the gradient norm and the weights after three
// steps agree with a model that never shards.
func TestShardedStepMatchesWholeBatch(t *testing.T) {
	const T = 6
	withShardRows(t, 4)
	sched := Schedule{Max: 1e-2, Min: 1e-3, Warmup: 1, Steps: 3}
	for _, c := range []struct {
		B, accum, shards int
		clip             float64
	}{{4, 1, 4, 0}, {3, 1, 2, 0.1}, {5, 2, 4, 0.1}} {
		if got := shardsFor(c.B, T); got != c.shards {
			t.Fatalf("B %d: %d shards, the test wants %d", c.B, got, c.shards)
		}
		whole, sharded := tinyModel(t), tinyModel(t)
		a, err := NewOptimizer(whole, NewAdamWFor(whole, 0.9, 0.95, 0.1), sched, c.clip, 7)
		if err != nil {
			t.Fatal(err)
		}
		a.noReplicas = true // the reference: one model, the whole batch
		b, err := NewOptimizer(sharded, NewAdamWFor(sharded, 0.9, 0.95, 0.1), sched, c.clip, 7)
		if err != nil {
			t.Fatal(err)
		}
		x, y := shardBatch(c.B*c.accum, T)
		for step := 1; step <= 3; step++ {
			next := func() func() ([]int, []int) {
				k := 0
				return func() ([]int, []int) {
					lo, hi := k*c.B*T, (k+1)*c.B*T
					k++
					return x[lo:hi], y[lo:hi]
				}
			}
			la, na, err := a.StepAccum(step, c.accum, c.B, T, next())
			if err != nil {
				t.Fatal(err)
			}
			lb, nb, err := b.StepAccum(step, c.accum, c.B, T, next())
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(la-lb) > 1e-12 || math.Abs(na-nb) > 1e-12*na {
				t.Errorf("%+v step %d: whole batch loss %v norm %v, sharded loss %v norm %v", c, step, la, na, lb, nb)
			}
			if g := GlobalNorm(b.grads); c.clip == 0 && g != nb {
				t.Errorf("%+v step %d: the sharded step's norm %v, GlobalNorm of its gradient %v", c, step, nb, g)
			}
		}
		if len(b.reps) != c.shards {
			t.Fatalf("%+v: %d replicas ran, want %d", c, len(b.reps), c.shards)
		}
		pa, pb := whole.Params(), sharded.Params()
		for i := range pa {
			va, vb := pa[i].Value.RawMatrix().Data, pb[i].Value.RawMatrix().Data
			for j := range va {
				if math.Abs(va[j]-vb[j]) > 1e-10 {
					t.Fatalf("%+v: %s[%d] = %v after whole batches, %v sharded", c, pa[i].Name, j, va[j], vb[j])
				}
			}
		}
	}
}

// TestShardedSameBitsAnyCores: sharded steps in float32 with dropout give
// the same weights to the bit on 1, 2 and 3 cores (the shards are cut by
// the batch's shape, never by the cores).
func TestShardedSameBitsAnyCores(t *testing.T) {
	const B, T = 4, 6
	withShardRows(t, 6)
	x, y := shardBatch(B, T)
	var got [][]float64
	for _, procs := range []int{1, 2, 3} {
		prev := runtime.GOMAXPROCS(procs)
		m := tinyModelDropout(t)
		if err := m.SetCompute(transformer.Float32); err != nil {
			t.Fatal(err)
		}
		o, err := NewOptimizer(m, NewAdamWFor(m, 0.9, 0.95, 0.1), Schedule{Max: 1e-2, Steps: 4}, 1, 7)
		if err != nil {
			t.Fatal(err)
		}
		for step := 1; step <= 4; step++ {
			if _, _, err := o.Step(step, x, y, B, T); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GOMAXPROCS(prev)
		if len(o.reps) != 4 {
			t.Fatalf("%d replicas ran, want 4", len(o.reps))
		}
		var flat []float64
		for _, p := range m.Params() {
			flat = append(flat, p.Value.RawMatrix().Data...)
		}
		got = append(got, flat)
	}
	for k := 1; k < len(got); k++ {
		for j := range got[0] {
			if math.Float64bits(got[0][j]) != math.Float64bits(got[k][j]) {
				t.Fatalf("weight %d: %v on 1 core, %v on %d", j, got[0][j], got[k][j], k+1)
			}
		}
	}
}

// tinyModelDropout is tinyModel with dropout 0.1.
func tinyModelDropout(t *testing.T) *transformer.Model {
	m := tinyModel(t)
	cfg := m.Config
	cfg.Dropout = 0.1
	d, err := transformer.New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
