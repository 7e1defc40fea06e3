package align

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/internal/tty"
)

// ErrInterrupted is returned (wrapped) by RunStage when its context is
// cancelled (Ctrl-C): the stage saved its last checkpoint and can resume.
var ErrInterrupted = errors.New("interrupted")

// RunOptions say where and how RunStage runs a stage.
type RunOptions struct {
	Out    string // the run folder
	Resume bool   // continue the run in Out from its last checkpoint
	// Every is the number of steps between checkpoints (one is also saved
	// at the end, and on Ctrl-C); 0 means 50.
	Every int
	// Progress gets the progress bar (on a terminal) or a plain line every
	// twentieth of the run (elsewhere); nil shows none.
	Progress io.Writer
	// Command is how the user started the stage, for the message that says
	// how to resume, e.g. "tick align sft --model base --out sft".
	Command string

	afterStep func(i int) // tests: called after step i is logged
}

// RunStage does for any Stage what `tick train` does for pretraining: a
// run folder (checkpoint.CreateRun: marked and locked, never a folder
// holding the user's files), a progress bar with the rate and the time
// left, metrics.jsonl with one line of the stage's figures per step, a
// checkpoint in last/ every Every steps and at the end (atomic), loss.png
// with a curve of every figure, and on ctx's cancellation a checkpoint
// and an error wrapping ErrInterrupted. With Resume it continues from
// last/: the stage's Step(i) depends only on the saved state and i, so
// the resumed run's weights and metrics equal an uninterrupted run's.
func RunStage(ctx context.Context, st Stage, o RunOptions) error {
	if o.Out == "" {
		return fmt.Errorf("%s: no run folder given (--out)", st.Name())
	}
	if o.Every <= 0 {
		o.Every = 50
	}
	if o.Command == "" {
		o.Command = "tick align " + st.Name() + " --out " + o.Out
	}
	var (
		rf   *checkpoint.RunFolder
		done int
		logs []StepMetric
		err  error
	)
	metricsPath := filepath.Join(o.Out, checkpoint.MetricsFile)
	if o.Resume {
		if rf, err = checkpoint.OpenRun(o.Out); err != nil {
			if errors.Is(err, checkpoint.ErrNoCheckpoint) {
				return fmt.Errorf("nothing to resume in %s: it has no last checkpoint; start again without --resume", o.Out)
			}
			return err
		}
		defer rf.Close()
		from, warning, err := checkpoint.ResumeFrom(o.Out)
		if errors.Is(err, checkpoint.ErrNoCheckpoint) {
			return fmt.Errorf("nothing to resume in %s: it has no last checkpoint; start again without --resume", o.Out)
		}
		if err != nil {
			return err
		}
		if warning != "" && o.Progress != nil {
			fmt.Fprintln(o.Progress, warning)
		}
		from, state, err := checkpoint.ReadState(from)
		if err != nil {
			return err
		}
		var info runInfo
		if json.Unmarshal(state.Options, &info) != nil || info.Stage != st.Name() {
			return fmt.Errorf("cannot resume %s: it is not a run of tick align %s (its state.json says %q); give that stage's --out", o.Out, st.Name(), info.Stage)
		}
		if err := st.Load(from); err != nil {
			return err
		}
		done = state.Step
		if logs, err = trimStageMetrics(metricsPath, done); err != nil {
			return err
		}
	} else {
		if rf, err = checkpoint.CreateRun(o.Out); err != nil {
			return err
		}
		defer rf.Close()
		if err := atomicfile.WriteFile(metricsPath, nil); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
	}
	mf, err := os.OpenFile(metricsPath, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	defer mf.Close()
	save := func() error {
		if err := st.Save(filepath.Join(o.Out, checkpoint.Last)); err != nil {
			return err
		}
		return writeStagePlot(filepath.Join(o.Out, checkpoint.PlotFile), st.Name(), logs)
	}
	bar := newStageProgress(o.Progress, st.Name(), done, st.Steps())
	saved := done
	if !o.Resume {
		saved = -1 // no checkpoint yet: Ctrl-C before the first step saves step 0
	}
	for i := done; i < st.Steps(); i++ {
		if ctx.Err() != nil {
			bar.finish()
			if saved != i {
				if err := save(); err != nil {
					return fmt.Errorf("%w at step %d, and saving failed: %v", ErrInterrupted, i, err)
				}
			}
			return fmt.Errorf("%s %w at step %d of %d; saved %s; continue with: %s --resume",
				st.Name(), ErrInterrupted, i, st.Steps(), filepath.Join(o.Out, checkpoint.Last), o.Command)
		}
		f, err := st.Step(i)
		if err != nil {
			bar.finish()
			return err
		}
		m := StepMetric{Stage: st.Name(), Step: i + 1, Figures: f}
		logs = append(logs, m)
		line, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("metrics: step %d: %w", i+1, err)
		}
		if _, err := mf.Write(append(line, '\n')); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		bar.step(i+1, f)
		if (i+1)%o.Every == 0 || i+1 == st.Steps() {
			if err := save(); err != nil {
				bar.finish()
				return err
			}
			saved = i + 1
		}
		if o.afterStep != nil {
			o.afterStep(i)
		}
	}
	bar.finish()
	return nil
}

// runInfo is what RunStage records in a checkpoint's state.json
// (checkpoint.State.Options): which stage wrote it.
type runInfo struct {
	Stage string `json:"stage"`
	Steps int    `json:"steps"`
}

// trimStageMetrics reads metrics.jsonl and keeps the lines of steps up to
// done, rewriting the file (atomically) without the steps after the
// checkpoint: a resumed run logs those again.
func trimStageMetrics(path string, done int) ([]StepMetric, error) {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	var keep []StepMetric
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var m StepMetric
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue // a line cut short when the run was killed
		}
		if m.Step > done {
			break
		}
		keep = append(keep, m)
		out.Write(sc.Bytes())
		out.WriteByte('\n')
	}
	if len(keep) != done {
		return nil, fmt.Errorf("cannot resume: %s holds %d whole lines for the %d steps saved; start again without --resume and a new --out", path, len(keep), done)
	}
	if err := atomicfile.WriteFile(path, out.Bytes()); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return keep, nil
}

// stageProgress shows how far a stage is: on a terminal a bar redrawn in
// place with the step, the stage's first figure, steps per second and the
// time left; elsewhere a plain line every twentieth of the run.
type stageProgress struct {
	bar          *progressbar.ProgressBar
	w            io.Writer
	name         string
	first, total int
	begun        time.Time
	every        int
}

func newStageProgress(w io.Writer, name string, done, total int) *stageProgress {
	if w == nil {
		return nil
	}
	p := &stageProgress{w: w, name: name, first: done, total: total, begun: time.Now(), every: max(1, total/20)}
	if tty.Is(w) {
		p.bar = progressbar.NewOptions(total-done,
			progressbar.OptionSetWriter(struct{ io.Writer }{w}),
			progressbar.OptionSetWidth(10),
			progressbar.OptionUseANSICodes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: " ", BarStart: "|", BarEnd: "|"}),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// figureOrder is the order figures are shown in: the stage's main figure
// first.
var figureOrder = []string{"loss", "accuracy", "margin", "reward", "judge", "kl", "clip", "return", "value_loss", "pairs", "grad_norm", "lr"}

// describe is "sft 120/400 loss 0.8123 3.10 steps/s ~1m30s left".
func (p *stageProgress) describe(step int, f map[string]float64) string {
	s := fmt.Sprintf("%s %d/%d", p.name, step, p.total)
	shown := 0
	for _, k := range figureOrder {
		if v, ok := f[k]; ok && k != "lr" && k != "grad_norm" && shown < 2 {
			s += fmt.Sprintf(" %s %.4g", k, v)
			shown++
		}
	}
	el := time.Since(p.begun)
	if n := step - p.first; n > 0 && el > 0 {
		rate := float64(n) / el.Seconds()
		s += fmt.Sprintf(" %.2f steps/s", rate)
		if step < p.total {
			s += " ~" + (time.Duration(float64(p.total-step)/rate*1e9) * time.Nanosecond).Round(time.Second).String() + " left"
		}
	}
	return s
}

func (p *stageProgress) step(step int, f map[string]float64) {
	if p == nil {
		return
	}
	if p.bar != nil {
		p.bar.Describe(p.describe(step, f))
		p.bar.Add(1)
		return
	}
	if step%p.every == 0 || step == p.total {
		fmt.Fprintf(p.w, "%s, %s elapsed\n", p.describe(step, f), time.Since(p.begun).Round(time.Second))
	}
}

func (p *stageProgress) finish() {
	if p != nil && p.bar != nil {
		p.bar.Clear()
		p.bar.Exit()
		p.bar = nil
	}
}
