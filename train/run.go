package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/eval"
	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/internal/words"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// adamEps is AdamW's ε, PyTorch's default.
const adamEps = 1e-8

// ErrInterrupted is returned (wrapped) by Run when its context is cancelled:
// the run saved its last checkpoint and can be resumed.
var ErrInterrupted = errors.New("interrupted")

// Result is what a finished run measured.
type Result struct {
	Step         int           // optimiser steps done in total
	TrainLoss    float64       // mean loss on the fixed training windows, final model
	ValLoss      float64       // mean loss on the whole validation split, final model
	ValBPB       float64       // the same in bits per byte
	TokensPerSec float64       // training tokens / time in training steps (this process, evaluation excluded)
	Elapsed      time.Duration // wall time of this Run call
	TimeLimited  bool          // stopped by --time-limit before the last step
}

// FinalLine is the line tick train prints last.
func (r *Result) FinalLine() string {
	return fmt.Sprintf("final: step=%d train_loss=%.4f val_loss=%.4f tokens_per_s=%.0f elapsed=%.1fs",
		r.Step, r.TrainLoss, r.ValLoss, r.TokensPerSec, r.Elapsed.Seconds())
}

// trainer holds one run in progress.
type trainer struct {
	o     Options
	out   io.Writer
	start time.Time

	model         *transformer.Model
	opt           *Optimizer // its AdamW state is saved with each checkpoint
	sched         Schedule
	tok           tokenizer.Tokenizer
	tokSpec       tokenizer.Spec
	data          checkpoint.Data
	train, val    []int
	batches       *Batcher
	evalTrain     []data.Window // fixed windows for evaluation
	evalVal       []data.Window
	prompt        []int
	state         checkpoint.State
	folder        *checkpoint.RunFolder // o.Out, locked for the whole run
	lastSavedStep int
	lastEvalTrain float64
	metrics       []Metric
	log           *metricsLog
	bar           *progress
	trainTime     time.Duration
	trainedTokens int64
	timeLimited   bool                       // stopped by --time-limit
	adapter       *transformer.AdapterConfig // a LoRA fine-tune saves only this adapter (finetune.go)
}

// Run trains a model as o says, writing the run folder o.Out, printing
// what happens to out (and a progress bar to o.Progress), and returns the
// final figures. Cancelling ctx (Ctrl-C) saves the last checkpoint and
// returns an error wrapping ErrInterrupted that says how to resume.
func Run(ctx context.Context, o Options, out io.Writer) (*Result, error) {
	o, err := BaseOptions(o)
	if err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	t := &trainer{o: o, out: out, start: time.Now()}
	setup := t.fresh
	if o.Resume {
		setup = t.resume
	}
	err = setup()
	defer t.folder.Close() // nil-safe: setup may fail before it locked
	if err != nil {
		return nil, err
	}
	defer t.log.close()
	return t.loop(ctx)
}

func (t *trainer) printf(format string, args ...any) {
	t.bar.clear()
	fmt.Fprintf(t.out, format, args...)
}

// println prints a line of text wrapped to lineWidth, continuation lines
// indented by two spaces.
func (t *trainer) println(format string, args ...any) {
	t.printf("%s\n", wrap(fmt.Sprintf(format, args...), lineWidth, "  "))
}

// fresh prepares a new run: an empty folder, the data, a tokenizer built
// for it, a model initialised from the seed and an optimiser at zero.
// Everything that can be wrong with the input is found here, before any
// training time is spent.
func (t *trainer) fresh() error {
	o := t.o
	// The data first: a mistyped --data must not leave a new, empty run
	// folder behind.
	name, text, err := data.Read(o.Data)
	if err != nil {
		return err
	}
	if t.folder, err = prepareOutDir(o.Out); err != nil {
		return err
	}
	if err := checkWritable(o.Out, o.Resume); err != nil {
		return err
	}
	if t.folder.Restarted {
		t.println("%s held a run stopped before its first checkpoint; starting it again", o.Out)
	}
	if o.Finetune != nil {
		err = t.loadBase() // the base's model and tokenizer (finetune.go)
	} else {
		t.tok, t.tokSpec, err = tokenizer.Build(o.Tokenizer, string(text))
	}
	if err != nil {
		return err
	}
	if err := t.readTokens(name, text); err != nil {
		return err
	}
	if o.Finetune == nil {
		cfg, err := o.ModelConfig(t.tok.VocabSize())
		if err != nil {
			return err
		}
		if t.model, err = transformer.New(cfg, o.Seed); err != nil {
			return fmt.Errorf("model: %w", err)
		}
	}
	t.lastSavedStep = -1 // no checkpoint yet
	if err := t.prepare(NewAdamWFor(t.model, o.Beta1, o.Beta2, o.WeightDecay)); err != nil {
		return err
	}
	if t.log, err = openMetrics(filepath.Join(o.Out, metricsFile)); err != nil {
		return err
	}
	t.describe(name, len(text), false)
	return nil
}

// resume continues the run in o.Out from its last checkpoint: the model,
// optimiser moments, batch sampler and metrics exactly as they were saved,
// so the rest of the run equals an uninterrupted one bit for bit.
func (t *trainer) resume() error {
	o := t.o
	nothing := fmt.Errorf("nothing to resume in %s: it has no last checkpoint; start a new run without --resume", o.Out)
	// Locked before the checkpoint is read, so that no other process
	// saves it meanwhile; what interrupted saves left is removed.
	var err error
	if t.folder, err = checkpoint.OpenRun(o.Out); err != nil {
		if errors.Is(err, checkpoint.ErrNoCheckpoint) {
			return nothing
		}
		return err
	}
	if n := len(t.folder.Removed); n > 0 {
		t.println("removed %s that interrupted saves left in %s", words.Count(n, "temporary file"), o.Out)
	}
	from, warning, err := checkpoint.ResumeFrom(o.Out)
	if errors.Is(err, checkpoint.ErrNoCheckpoint) {
		return nothing
	}
	if err != nil {
		return err
	}
	if warning != "" {
		t.println("%s", warning)
	}
	ck, err := checkpoint.Load(from)
	if err != nil {
		if errors.Is(err, checkpoint.ErrNoCheckpoint) {
			return nothing
		}
		return err
	}
	var saved Options
	if err := json.Unmarshal(ck.State.Options, &saved); err != nil {
		return fmt.Errorf("checkpoint %s is damaged: its options: %v", ck.Dir, err)
	}
	diff, err := resumeMismatch(saved, o)
	if err != nil {
		return err
	}
	if diff != "" {
		return fmt.Errorf("cannot resume %s with other settings: %s; drop those flags to continue the run as it was, or use a new --out", o.Out, diff)
	}
	if err := checkWritable(o.Out, o.Resume); err != nil {
		return err
	}
	if err := data.CheckSaved(o.Data, ck.State.Data.Name); err != nil {
		return fmt.Errorf("cannot resume %s: %w", o.Out, err)
	}
	name, text, err := data.Read(o.Data)
	if err != nil {
		return err
	}
	if got := checkpoint.DataOf(name, text); got.SHA256 != ck.State.Data.SHA256 {
		return fmt.Errorf("cannot resume %s: the data (%s, %d bytes) is not the text the run trained on (%s, %d bytes); pass that file as --data, or start a new run with another --out",
			o.Out, name, len(text), ck.State.Data.Name, ck.State.Data.Bytes)
	}
	t.tok, t.tokSpec = ck.Tokenizer, ck.TokSpec
	if err := t.readTokens(name, text); err != nil {
		return err
	}
	if o.Finetune == nil {
		cfg, err := o.ModelConfig(t.tok.VocabSize())
		if err != nil {
			return err
		}
		if ck.Model.Config != cfg {
			return fmt.Errorf("cannot resume %s: its model configuration %+v differs from %+v", o.Out, ck.Model.Config, cfg)
		}
	}
	t.model, t.state, t.adapter = ck.Model, ck.State, ck.Adapter
	t.lastSavedStep = t.state.Step
	adam := NewAdamWFor(t.model, o.Beta1, o.Beta2, o.WeightDecay)
	adam.T = ck.State.AdamT
	for i := range adam.M {
		copy(adam.M[i], ck.M[i])
		copy(adam.V[i], ck.V[i])
	}
	if err := t.prepare(adam); err != nil {
		return err
	}
	if err := t.batches.SetState(ck.State.BatchRNG); err != nil {
		return fmt.Errorf("checkpoint %s is damaged: %w", ck.Dir, err)
	}
	metricsPath := filepath.Join(o.Out, metricsFile)
	if t.metrics, err = trimMetrics(metricsPath, t.state.Step); err != nil {
		return err
	}
	for _, m := range t.metrics {
		if m.Kind == "eval" {
			t.lastEvalTrain = m.TrainLoss
		}
	}
	if t.log, err = openMetrics(metricsPath); err != nil {
		return err
	}
	t.describe(name, len(text), true)
	if t.state.Step >= o.Steps {
		t.printf("the run already reached step %d of %d; raise --steps to train more\n", t.state.Step, o.Steps)
	}
	return nil
}

// readTokens encodes the text, splits it into training and validation
// tokens, and encodes the prompt of the samples.
func (t *trainer) readTokens(name string, text []byte) error {
	o := t.o
	t.data = checkpoint.DataOf(name, text)
	tokens, err := t.tok.Encode(string(text))
	if err != nil {
		return fmt.Errorf("tokenize %s: %w", name, err)
	}
	if t.train, t.val, err = data.Split(tokens, o.ValFrac, o.Context); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if o.Prompt == "" {
		t.prompt = defaultPrompt(t.tok, t.val, min(16, max(1, o.Context/2)))
		return nil
	}
	if t.prompt, err = t.tok.Encode(o.Prompt); err != nil {
		return fmt.Errorf("--prompt: %w", err)
	}
	if len(t.prompt) == 0 {
		return fmt.Errorf("--prompt %q encodes to no tokens", o.Prompt)
	}
	return nil
}

// prepare sets up what fresh and resumed runs share: the options and data
// the checkpoints record, the schedule, the optimiser around adam, the
// batch sampler and the fixed evaluation windows.
func (t *trainer) prepare(adam *AdamW) error {
	o := t.o
	saved := o
	if o.Data != "" && o.Data != data.EmbeddedName {
		// Saved absolute, so --resume works from any folder.
		if abs, err := filepath.Abs(o.Data); err == nil {
			saved.Data = abs
		}
	}
	var err error
	if t.state.Options, err = json.Marshal(saved); err != nil {
		return err
	}
	t.state.Data = t.data
	p, err := o.Compute()
	if err != nil {
		return err
	}
	if err := t.model.SetCompute(p); err != nil {
		return fmt.Errorf("--precision %s: %w", p, err)
	}
	t.sched = Schedule{Max: o.LR, Min: o.MinLR, Warmup: o.Warmup, Steps: o.Steps}
	if t.opt, err = NewOptimizer(t.model, adam, t.sched, o.Clip, o.Seed); err != nil {
		return err
	}
	t.batches = NewBatcher(t.train, o.Batch, o.Context, o.Seed)
	n := o.EvalBatches * o.Batch
	t.evalTrain = FixedWindows(t.train, o.Context, n, o.Seed+1)
	t.evalVal = FixedWindows(t.val, o.Context, n, o.Seed+2)
	return nil
}

// defaultPrompt returns n tokens of the validation text to start samples
// from: the start of its first line that has text, so the prompt begins at
// a word, or its first n tokens.
func defaultPrompt(tok tokenizer.Tokenizer, val []int, n int) []int {
	for i := 0; i+1+n <= len(val) && i < 2000; i++ {
		if bytes.HasSuffix(tok.TokenBytes(val[i]), []byte("\n")) && len(bytes.TrimSpace(tok.TokenBytes(val[i+1]))) > 0 {
			return val[i+1 : i+1+n]
		}
	}
	return val[:n]
}

// prepareOutDir creates, marks and locks the folder of a new run
// (checkpoint.CreateRun). It refuses a folder that already holds a run, so
// that nothing is overwritten, a folder that is not empty and is not a
// tick run, since what is in it is the user's, and a folder inside another
// run's checkpoints, which that run's saves would delete.
func prepareOutDir(dir string) (*checkpoint.RunFolder, error) {
	return checkpoint.CreateRun(dir)
}

// checkWritable fails early, before training, if checkpoints could not be
// written.
func checkWritable(dir string, resume bool) error {
	f, err := os.CreateTemp(dir, atomicfile.TempPattern(checkpoint.WriteTestBase))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if resume && (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)) {
			// A run's checkpoints live in its folder: resuming elsewhere
			// is not possible, so "another --out" would be no advice.
			return fmt.Errorf("run folder %s is read-only (%v): a run saves its checkpoints there, so make it writable (chmod u+w, or remount the disk read-write), or copy the folder somewhere writable and use that --out", dir, err)
		}
		return fmt.Errorf("output folder %s is not writable (%v); choose another --out", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

func (t *trainer) describe(dataName string, nBytes int, resumed bool) {
	o, cfg := t.o, t.model.Config
	what := ""
	switch {
	case o.Data == "" && dataName == data.EmbeddedName:
		what = "\nno --data given and Go's copy of Newton's Opticks was not found, so a sample embedded in tick"
	case o.Data == "":
		what = "\nno --data given: Newton's Opticks, shipped with Go"
	}
	t.println("data: %s (%d bytes)%s", dataName, nBytes, what)
	t.println("tokenizer: %s, %d tokens in the vocabulary\n%d training tokens, %d validation tokens",
		t.tok.Name(), t.tok.VocabSize(), len(t.train), len(t.val))
	t.println("model: %s, %s, %s (%d key/value), width %d, context %d,\ndropout %g: %d parameters (backend %s, computing in %s)",
		o.Preset, words.Count(cfg.Layers, "layer"), words.Count(cfg.Heads, "head"), cfg.KVHeads, cfg.Dim, cfg.Context, cfg.Dropout, t.model.NumParams(), transformer.Backend, t.model.Compute())
	accum := ""
	if o.GradAccum > 1 {
		accum = fmt.Sprintf(" x %d accumulated", o.GradAccum)
	}
	lr := fmt.Sprintf("lr %g -> %g (warmup %d, then cosine)", o.LR, o.MinLR, o.Warmup)
	if o.Warmup >= o.Steps {
		lr = fmt.Sprintf("lr rising to %g over all %d steps (--warmup %d >= --steps: no decay)", t.sched.LR(o.Steps), o.Steps, o.Warmup)
	}
	t.println("training: %s of %d windows x %d tokens%s, seed %d\n%s\nAdamW weight decay %g, clip %g",
		words.Count(o.Steps, "step"), o.Batch, o.Context, accum, o.Seed, lr, o.WeightDecay, o.Clip)
	t.describeFinetune()
	if resumed {
		t.println("resuming %s at step %d", o.Out, t.state.Step)
	} else {
		t.println("run folder: %s", o.Out)
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// loop is training itself: optimiser steps, an evaluation (with a sample
// and a checkpoint) every EvalEvery steps, until the last step, the time
// limit or Ctrl-C.
func (t *trainer) loop(ctx context.Context) (*Result, error) {
	o := t.o
	t.bar = newProgress(o.Progress, t.state.Step+1, o.Steps)
	defer t.bar.finish()
	if t.state.Step == 0 && !t.state.Evaluated {
		// Step 0: the untrained model's loss (about ln(vocabulary size))
		// and gibberish sample, the point learning starts from.
		if err := t.evaluate(0); err != nil {
			return nil, err
		}
	}
	for step := t.state.Step + 1; step <= o.Steps; step++ {
		if ctx.Err() != nil {
			return nil, t.interrupted()
		}
		if t.outOfTime() {
			break
		}
		if err := t.step(step); err != nil {
			return nil, err
		}
		if step%o.EvalEvery == 0 || step == o.Steps {
			t.bar.evaluated()
			if err := t.evaluate(step); err != nil {
				return nil, err
			}
		}
		if o.afterStep != nil {
			o.afterStep(step)
		}
	}
	return t.finish(ctx)
}

// outOfTime reports (once, and says) that --time-limit has run out.
func (t *trainer) outOfTime() bool {
	if t.o.TimeLimit == 0 || time.Since(t.start) < t.o.TimeLimit {
		return false
	}
	t.timeLimited = true
	t.printf("time limit %s reached after step %d of %d\n", t.o.TimeLimit, t.state.Step, t.o.Steps)
	return true
}

// step makes one optimiser step on o.GradAccum batches (forward, backward,
// clipping, AdamW) and logs its loss, learning rate and gradient norm.
func (t *trainer) step(step int) error {
	o := t.o
	began := time.Now()
	loss, norm, err := t.opt.StepAccum(step, o.GradAccum, o.Batch, o.Context, t.batches.Next)
	if errors.Is(err, ErrDiverged) {
		return t.diverged(step, loss, norm)
	}
	if err != nil {
		return err
	}
	t.trainTime += time.Since(began)
	t.trainedTokens += int64(o.GradAccum * o.Batch * o.Context)
	t.state.Step = step
	tps := float64(t.trainedTokens) / t.trainTime.Seconds()
	m := Metric{Kind: "step", Step: step, Loss: loss, LR: t.sched.LR(step), GradNorm: norm, TokensSec: tps}
	t.metrics = append(t.metrics, m)
	if err := t.log.add(m); err != nil {
		return t.writeFailed(err)
	}
	t.bar.step(step, loss, tps)
	return nil
}

func (t *trainer) diverged(step int, loss, norm float64) error {
	what := fmt.Sprintf("the loss became %g", loss)
	if finite(loss) {
		what = fmt.Sprintf("the gradient norm became %g", norm)
	}
	kept := "no checkpoint was written yet"
	if t.lastSavedStep >= 0 {
		kept = fmt.Sprintf("the last good checkpoint (step %d) is kept in %s", t.lastSavedStep, filepath.Join(t.o.Out, "last"))
	}
	return fmt.Errorf("training diverged at step %d: %s; %s; start a new run with a lower --lr (now %g) or a longer --warmup (now %d)",
		step, what, kept, t.o.LR, t.o.Warmup)
}

// evaluate measures the loss on the fixed training and validation windows,
// logs and plots it, prints a sample, and saves the last checkpoint (and the
// best, when validation improved).
func (t *trainer) evaluate(step int) error {
	o := t.o
	models := t.opt.sharers(o.Batch, o.Context)
	tr, err := eval.WindowsShared(context.Background(), models, t.tok, t.train, t.evalTrain, o.Batch)
	if err != nil {
		return err
	}
	va, err := eval.WindowsShared(context.Background(), models, t.tok, t.val, t.evalVal, o.Batch)
	if err != nil {
		return err
	}
	if !finite(tr.Loss()) || !finite(va.Loss()) {
		return t.diverged(step, va.Loss(), 0)
	}
	t.lastEvalTrain = tr.Loss()
	m := Metric{Kind: "eval", Step: step, TrainLoss: tr.Loss(), ValLoss: va.Loss()}
	t.metrics = append(t.metrics, m)
	if err := t.log.add(m); err != nil {
		return t.writeFailed(err)
	}
	improved := !t.state.Evaluated || va.Loss() < t.state.BestVal
	t.state.Evaluated = true
	mark := ""
	if improved {
		t.state.BestVal, t.state.BestStep = va.Loss(), step
		mark = " (best so far)"
	}
	t.printf("step %d: train loss %.4f, val loss %.4f%s\n", step, tr.Loss(), va.Loss(), mark)
	if err := writeLossPlot(filepath.Join(o.Out, checkpoint.PlotFile), t.metrics); err != nil {
		return t.writeFailed(err)
	}
	if o.SampleTokens > 0 {
		ids, err := sampleText(t.model, t.prompt, o.SampleTokens, o.Seed)
		if err != nil {
			return fmt.Errorf("sample: %w", err)
		}
		text := string(t.tok.Decode(t.prompt)) + string(t.tok.Decode(ids))
		// Indented under its label, so a multi-line sample stays readable.
		t.printf("%s\n", wrap("sample: "+text, lineWidth, "        "))
	}
	if err := t.save(improved); err != nil {
		return t.writeFailed(err)
	}
	return nil
}

// writeFailed adds to an error writing the run folder (a full disk, most
// likely) what is kept and how to go on. Every write is atomic or cut back
// to whole lines, so the last checkpoint is intact.
func (t *trainer) writeFailed(err error) error {
	if t.lastSavedStep < 0 {
		return fmt.Errorf("%w; no checkpoint was written yet: free some space (or fix the folder) and start the run again", err)
	}
	return fmt.Errorf("%w; the last checkpoint (step %d) is kept in %s: free some space (or fix the folder) and continue with: tick train --out %s --resume",
		err, t.lastSavedStep, filepath.Join(t.o.Out, checkpoint.Last), t.o.Out)
}

// save writes the last checkpoint, and the best when best is set. The run
// folder is locked (t.folder), so no other process writes it meanwhile.
func (t *trainer) save(best bool) error {
	st, err := t.batches.State()
	if err != nil {
		return err
	}
	t.state.BatchRNG = st
	t.state.AdamT = t.opt.AdamW.T
	ck := &checkpoint.Checkpoint{State: t.state, Model: t.model, TokSpec: t.tokSpec, M: t.opt.AdamW.M, V: t.opt.AdamW.V, Adapter: t.adapter}
	if err := checkpoint.Save(filepath.Join(t.o.Out, checkpoint.Last), ck); err != nil {
		return err
	}
	t.lastSavedStep = t.state.Step
	if best {
		if err := checkpoint.Save(filepath.Join(t.o.Out, checkpoint.Best), ck); err != nil {
			return err
		}
	}
	return nil
}

// interrupted saves the last checkpoint after a cancelled context.
func (t *trainer) interrupted() error {
	t.bar.finish()
	if t.lastSavedStep != t.state.Step {
		if err := t.save(false); err != nil {
			return fmt.Errorf("%w at step %d, and saving failed: %v", ErrInterrupted, t.state.Step, err)
		}
	}
	return fmt.Errorf("%w at step %d of %d; saved %s; continue with: tick train --out %s --resume",
		ErrInterrupted, t.state.Step, t.o.Steps, filepath.Join(t.o.Out, "last"), t.o.Out)
}

// finish measures the whole validation split and prints the final line.
func (t *trainer) finish(ctx context.Context) (*Result, error) {
	o := t.o
	if t.lastSavedStep != t.state.Step {
		// Stopped by the time limit between evaluations: save where it is.
		if err := t.evaluate(t.state.Step); err != nil {
			return nil, err
		}
	}
	t.bar.finish()
	va, err := eval.WindowsShared(ctx, t.opt.sharers(o.Batch, o.Context), t.tok, t.val, data.Tiling(len(t.val), o.Context), o.Batch)
	if ctx.Err() != nil {
		// Every step is trained and saved: only the final figures are lost.
		return nil, fmt.Errorf("%w during the final pass over the validation split, after all %d steps; the run is complete and saved in %s; for its figures run: tick eval --model %s",
			ErrInterrupted, t.state.Step, filepath.Join(o.Out, "last"), o.Out)
	}
	if err != nil {
		return nil, err
	}
	r := &Result{Step: t.state.Step, TrainLoss: t.lastEvalTrain, ValLoss: va.Loss(), ValBPB: va.BitsPerByte(), TimeLimited: t.timeLimited}
	if t.trainTime > 0 {
		r.TokensPerSec = float64(t.trainedTokens) / t.trainTime.Seconds()
	}
	r.Elapsed = time.Since(t.start)
	t.println("whole validation split: %d tokens, loss %.4f,\nperplexity %.2f, %.4f bits per byte",
		va.Tokens, va.Loss(), va.Perplexity(), va.BitsPerByte())
	t.println("run folder %s: best val loss %.4f at step %d (best/),\nlast/ at step %d, metrics.jsonl, loss.png",
		o.Out, t.state.BestVal, t.state.BestStep, t.state.Step)
	t.printf("%s\n", r.FinalLine())
	return r, nil
}
