package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/eval"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// tinyOptions is a run small enough for a test: a 1-layer model of width 16
// reading 16 characters, on the embedded corpus.
func tinyOptions(t *testing.T) Options {
	o := DefaultOptions()
	o.Data = data.EmbeddedName
	o.Layers, o.Heads, o.Dim, o.Context = 1, 2, 16, 16
	o.Batch, o.Steps, o.Warmup = 4, 30, 5
	o.LR, o.MinLR = 1e-2, 1e-3
	o.EvalEvery, o.EvalBatches, o.SampleTokens = 10, 2, 24
	o.Out = filepath.Join(t.TempDir(), "run")
	return o
}

var finalLine = regexp.MustCompile(`^final: step=(\d+) train_loss=([0-9.]+) val_loss=([0-9.]+) tokens_per_s=(\d+) elapsed=([0-9.]+)s$`)

// TestSmoke trains a few steps end to end and checks what a user sees and
// gets: the final line (true to the Result), a model that learned, the run
// folder's files, and tick eval agreeing with the final validation loss.
func TestSmoke(t *testing.T) {
	o := tinyOptions(t)
	var out bytes.Buffer
	r, err := Run(context.Background(), o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	m := finalLine.FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line %q does not match the final-line format\n%s", last, out.String())
	}
	if m[1] != strconv.Itoa(o.Steps) || r.Step != o.Steps {
		t.Errorf("final step %s (result %d), want %d", m[1], r.Step, o.Steps)
	}
	if v, _ := strconv.ParseFloat(m[3], 64); math.Abs(v-r.ValLoss) > 1e-4 {
		t.Errorf("printed val_loss %s, result %g", m[3], r.ValLoss)
	}
	if !strings.Contains(out.String(), "sample: ") || !strings.Contains(out.String(), "(best so far)") {
		t.Errorf("no sample or evaluation lines in:\n%s", out.String())
	}
	// It learned: the loss fell well below that of a uniform guess over the
	// vocabulary, which is about where an untrained model starts.
	_, text, _ := data.Read(data.EmbeddedName)
	tok, _ := tokenizer.NewChar(string(text))
	uniform := math.Log(float64(tok.VocabSize()))
	if !(r.ValLoss < uniform-0.5) || !(r.TrainLoss < uniform-0.5) {
		t.Errorf("val loss %g, train loss %g: not below ln(vocab) %g - 0.5", r.ValLoss, r.TrainLoss, uniform)
	}
	for _, f := range []string{"metrics.jsonl", "loss.png", "last/state.json", "last/model.safetensors", "last/optimizer.safetensors", "last/tokenizer.json", "best/state.json"} {
		if _, err := os.Stat(filepath.Join(o.Out, f)); err != nil {
			t.Errorf("run folder: %v", err)
		}
	}
	ms, err := ReadMetrics(filepath.Join(o.Out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	steps, evals := 0, 0
	for _, m := range ms {
		switch m.Kind {
		case "step":
			steps++
		case "eval":
			evals++
		}
	}
	if steps != o.Steps || evals != 4 {
		t.Errorf("metrics: %d step lines, %d eval lines; want %d and 4 (steps 0, 10, 20, 30)", steps, evals, o.Steps)
	}
	// tick eval on the same split scores the same tokens. It computes in
	// float64 and the run in its own precision (float32 by default), so
	// the two agree to float32 rounding of a sum, not to the bit.
	e, err := eval.Evaluate(eval.Options{Model: filepath.Join(o.Out, "last")})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(e.Loss()-r.ValLoss) > 1e-6*r.ValLoss || math.Abs(e.BitsPerByte()-r.ValBPB) > 1e-6*r.ValBPB {
		t.Errorf("eval: loss %.12g bpb %.12g; run's final: %.12g %.12g", e.Loss(), e.BitsPerByte(), r.ValLoss, r.ValBPB)
	}
	// LoadModel reads the best checkpoint with its tokenizer.
	model, tk, err := checkpoint.LoadModel(o.Out)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Name() != "char" || model.Config.VocabSize != tk.VocabSize() {
		t.Errorf("LoadModel: tokenizer %s with %d tokens, model vocabulary %d", tk.Name(), tk.VocabSize(), model.Config.VocabSize)
	}
}

// paramsOf returns copies of a model's parameter values.
func paramsOf(m *transformer.Model) map[string][]float64 {
	ps := map[string][]float64{}
	for _, p := range m.Params() {
		ps[p.Name] = append([]float64(nil), p.Value.RawMatrix().Data...)
	}
	return ps
}

func sameBits(t *testing.T, what string, a, b map[string][]float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d vs %d tensors", what, len(a), len(b))
	}
	for name, x := range a {
		y := b[name]
		if len(x) != len(y) {
			t.Fatalf("%s: %s has %d vs %d values", what, name, len(x), len(y))
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				t.Fatalf("%s: %s[%d] = %v vs %v", what, name, i, x[i], y[i])
			}
		}
	}
}

// momentsOf returns a checkpoint's AdamW moments by name.
func momentsOf(ck *checkpoint.Checkpoint) map[string][]float64 {
	ms := map[string][]float64{}
	for i, p := range ck.Model.Trainable() {
		ms["m."+p.Name], ms["v."+p.Name] = ck.M[i], ck.V[i]
	}
	return ms
}

func lastCheckpoint(t *testing.T, out string) *checkpoint.Checkpoint {
	t.Helper()
	ck, err := checkpoint.Load(filepath.Join(out, checkpoint.Last))
	if err != nil {
		t.Fatal(err)
	}
	return ck
}

// TestResumeIsExact trains N steps straight, and N/2 steps, an interrupt
// (the same path as Ctrl-C) and a resume to N, with dropout and gradient
// accumulation on, for both presets: every parameter and optimiser moment
// must be the same to the bit.
func TestResumeIsExact(t *testing.T) {
	for _, run := range []struct{ preset, precision string }{{"gpt", "float32"}, {"llama", "float32"}, {"gpt", "float64"}, {"llama", "float64"}} {
		preset := run.preset
		t.Run(preset+"/"+run.precision, func(t *testing.T) {
			o := tinyOptions(t)
			o.Preset, o.Dropout, o.GradAccum, o.Steps, o.EvalEvery, o.SampleTokens = preset, 0.1, 2, 12, 5, 0
			o.Precision = run.precision
			straight := o
			rs, err := Run(context.Background(), straight, new(bytes.Buffer))
			if err != nil {
				t.Fatal(err)
			}

			split := o
			split.Out = filepath.Join(t.TempDir(), "split")
			ctx, cancel := context.WithCancel(context.Background())
			split.afterStep = func(step int) {
				if step == o.Steps/2+1 { // 7: not an evaluation step
					cancel()
				}
			}
			_, err = Run(ctx, split, new(bytes.Buffer))
			if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "--resume") {
				t.Fatalf("interrupted run: %v, want ErrInterrupted saying how to resume", err)
			}
			if st := lastCheckpoint(t, split.Out).State.Step; st != 7 {
				t.Fatalf("interrupt saved step %d, want 7", st)
			}
			split.afterStep, split.Resume = nil, true
			rr, err := Run(context.Background(), split, new(bytes.Buffer))
			if err != nil {
				t.Fatal(err)
			}
			a, b := lastCheckpoint(t, straight.Out), lastCheckpoint(t, split.Out)
			sameBits(t, "parameters", paramsOf(a.Model), paramsOf(b.Model))
			sameBits(t, "optimiser moments", momentsOf(a), momentsOf(b))
			if math.Float64bits(rs.ValLoss) != math.Float64bits(rr.ValLoss) || rs.TrainLoss != rr.TrainLoss {
				t.Errorf("final losses differ: straight %v/%v, resumed %v/%v", rs.TrainLoss, rs.ValLoss, rr.TrainLoss, rr.ValLoss)
			}
			ma, _ := ReadMetrics(filepath.Join(straight.Out, "metrics.jsonl"))
			mb, _ := ReadMetrics(filepath.Join(split.Out, "metrics.jsonl"))
			if len(ma) != len(mb) {
				t.Errorf("metrics: %d lines straight, %d resumed", len(ma), len(mb))
			}
		})
	}
}

// TestSameOnAnyNumberOfCores: the same seed gives the same model with one
// core and with four.
func TestSameOnAnyNumberOfCores(t *testing.T) {
	var models []map[string][]float64
	for _, procs := range []int{1, 4} { // in float32, tick train's default
		prev := runtime.GOMAXPROCS(procs)
		o := tinyOptions(t)
		o.Steps, o.SampleTokens, o.Dropout = 6, 0, 0.1
		_, err := Run(context.Background(), o, new(bytes.Buffer))
		runtime.GOMAXPROCS(prev)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, paramsOf(lastCheckpoint(t, o.Out).Model))
	}
	sameBits(t, "GOMAXPROCS 1 vs 4", models[0], models[1])
}

// TestDivergenceStops: a weight that becomes NaN after step 5 (saved at
// step 5) makes step 6's loss NaN; the run stops saying so and keeps the
// step-5 checkpoint. A huge learning rate is stopped the same way.
func TestDivergenceStops(t *testing.T) {
	o := tinyOptions(t)
	o.EvalEvery, o.SampleTokens = 5, 0
	var model *transformer.Model
	o.afterStep = func(step int) {
		if step == 5 {
			model.Params()[0].Value.Set(0, 0, math.NaN())
		}
	}
	tr := &trainer{o: o, out: new(bytes.Buffer), start: time.Now()}
	if err := tr.fresh(); err != nil {
		t.Fatal(err)
	}
	model = tr.model
	_, err := tr.loop(context.Background())
	tr.log.close()
	if err == nil || !strings.Contains(err.Error(), "diverged at step 6: the loss became NaN") || !strings.Contains(err.Error(), "checkpoint (step 5) is kept") {
		t.Fatalf("error %v, want divergence at step 6 keeping step 5", err)
	}
	ck := lastCheckpoint(t, o.Out)
	if ck.State.Step != 5 {
		t.Errorf("last checkpoint at step %d, want 5", ck.State.Step)
	}
	for name, v := range paramsOf(ck.Model) {
		for _, x := range v {
			if !finite(x) {
				t.Fatalf("kept checkpoint has non-finite %s", name)
			}
		}
	}

	o = tinyOptions(t)
	o.LR, o.MinLR, o.Warmup, o.Clip, o.EvalEvery, o.SampleTokens = 1e200, 1e200, 0, 0, 1, 0
	_, err = Run(context.Background(), o, new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "diverged") || !strings.Contains(err.Error(), "--lr") {
		t.Fatalf("error %v, want a divergence message suggesting --lr", err)
	}
	m := regexp.MustCompile(`diverged at step (\d+)`).FindStringSubmatch(err.Error())
	at, _ := strconv.Atoi(m[1])
	// Whatever checkpoint is there is a good one, from before the divergence.
	if _, err := os.Stat(filepath.Join(o.Out, "last")); err == nil {
		ck := lastCheckpoint(t, o.Out)
		if ck.State.Step >= at {
			t.Errorf("last checkpoint at step %d, divergence at %d", ck.State.Step, at)
		}
		for name, v := range paramsOf(ck.Model) {
			for _, x := range v {
				if !finite(x) {
					t.Fatalf("kept checkpoint has non-finite %s", name)
				}
			}
		}
	}
}

// TestTimeLimit stops cleanly and still prints the final line.
func TestTimeLimit(t *testing.T) {
	o := tinyOptions(t)
	o.Steps, o.TimeLimit = 1_000_000, 1 // one nanosecond: stops before the first step
	var out bytes.Buffer
	r, err := Run(context.Background(), o, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !r.TimeLimited || r.Step != 0 || !strings.Contains(out.String(), "time limit") {
		t.Errorf("result %+v\n%s", r, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !finalLine.MatchString(lines[len(lines)-1]) {
		t.Errorf("last line %q", lines[len(lines)-1])
	}
}

// TestGradAccumEqualsBigBatch: two accumulated micro-batches of 4 windows
// make the same steps as one batch of 8 (the batcher draws the same 8
// windows either way), up to rounding.
// Float32 compute rounds the two halves' gradients differently from the
// whole batch's, so its bound is float32's (AdamW then moves each weight by
// about lr times the gradients' relative difference). The keys' biases
// are left out: adding b_k to every key adds q·b_k to every score of a
// row, which softmax ignores, so their gradient is exactly 0 and what the
// products leave of it is rounding noise (about 1e-12 here), which AdamW's
// m/√v scales up to an update of any size and sign; the same noise
// differs between BLAS libraries (OpenBLAS's AVX-512 kernels on an Intel
// Xeon moved one such bias by 1e-6 one way and the other).
func TestGradAccumEqualsBigBatch(t *testing.T) {
	for _, pc := range []struct {
		precision string
		tol       float64
	}{{"float64", 1e-9}, {"float32", 1e-6}} {
		var models []map[string][]float64
		for _, ab := range [][2]int{{2, 4}, {1, 8}} {
			o := tinyOptions(t)
			o.GradAccum, o.Batch, o.Steps, o.SampleTokens, o.Precision = ab[0], ab[1], 3, 0, pc.precision
			if _, err := Run(context.Background(), o, new(bytes.Buffer)); err != nil {
				t.Fatal(err)
			}
			models = append(models, paramsOf(lastCheckpoint(t, o.Out).Model))
		}
		dim := tinyOptions(t).Dim
		for name, a := range models[0] {
			b := models[1][name]
			for i := range a {
				if strings.HasSuffix(name, "attn.c_attn.bias") && i >= dim && i < 2*dim {
					continue // a key's bias: q, k, v are fused, k's dim values second
				}
				if math.Abs(a[i]-b[i]) > pc.tol {
					t.Fatalf("%s: %s[%d]: accumulated %v, big batch %v", pc.precision, name, i, a[i], b[i])
				}
			}
		}
	}
}
