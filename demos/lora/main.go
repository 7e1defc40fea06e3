// Command lora measures the open-weights way of adapting a model: a small
// GPT pretrained on Newton's Opticks (the tinygpt recipe, cut down to run
// in minutes on two cores, with a byte tokenizer so any text can follow)
// is adapted to Go's own net/http/server.go by full fine-tuning, by LoRA at
// r = 1, 4 and 16, and by QLoRA (an NF4 base) at r = 4. It prints one table
// (trainable parameters, bytes a fine-tune must store, validation loss on
// the new text before and after, on the old text after, time) and draws the
// loss curves side by side in out/lora/loss-curves.png.
//
//	go run ./demos/lora [-base-steps 300] [-steps 200] [-out out/lora]
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/eval"
	"github.com/tick-llm/tick/internal/goroot"
	"github.com/tick-llm/tick/internal/pngfile"
	"github.com/tick-llm/tick/train"
)

// method is one way of fine-tuning.
type method struct {
	name string
	ft   train.Finetune
	lr   float64
}

func main() {
	baseSteps := flag.Int("base-steps", 300, "pretraining steps on Opticks")
	steps := flag.Int("steps", 200, "fine-tuning steps on the new text")
	out := flag.String("out", filepath.Join("out", "lora"), "folder for the runs (earlier demo runs there are replaced)")
	flag.Parse()
	demo.Main("lora", func(ctx context.Context, w io.Writer) error { return run(ctx, w, *baseSteps, *steps, *out) })
}

func run(ctx context.Context, w io.Writer, baseSteps, steps int, out string) error {
	gr, err := goroot.Dir()
	if err != nil {
		return err
	}
	newText := filepath.Join(gr, "src", "net", "http", "server.go")
	if _, err := os.Stat(newText); err != nil {
		return fmt.Errorf("the new text %s (Go's net/http server) is missing: %w", newText, err)
	}
	for _, d := range []string{"base", "ft0", "ft1", "ft2", "ft3", "ft4"} {
		// Only run folders tick wrote are cleared; anything else is refused.
		if _, err := checkpoint.Clear(filepath.Join(out, d)); err != nil {
			return err
		}
	}
	base := train.DefaultOptions()
	base.Tokenizer, base.Layers, base.Heads, base.Dim, base.Context = "byte", 2, 4, 64, 64
	base.Steps, base.Warmup, base.EvalEvery, base.EvalBatches, base.SampleTokens = baseSteps, 30, 100, 4, 0
	base.LR, base.MinLR = 2e-3, 2e-4
	base.Out = filepath.Join(out, "base")
	fmt.Fprintf(w, "pretraining on Newton's Opticks: %d steps (byte tokenizer, 2 layers, width 64, context 64)\n", baseSteps)
	t0 := time.Now()
	if _, err := train.Run(ctx, base, io.Discard); err != nil {
		return err
	}
	fmt.Fprintf(w, "  done in %.0fs\n", time.Since(t0).Seconds())
	before, err := eval.Evaluate(eval.Options{Model: base.Out, Data: newText})
	if err != nil {
		return err
	}
	oldBefore, err := eval.Evaluate(eval.Options{Model: base.Out})
	if err != nil {
		return err
	}
	all := []string{"c_attn", "c_proj", "c_fc"}
	methods := []method{
		{"full fine-tuning", train.Finetune{Full: true}, 2e-3},
		{"LoRA r=1", train.Finetune{Rank: 1, Alpha: 2, Targets: all}, 1e-2},
		{"LoRA r=4", train.Finetune{Rank: 4, Alpha: 8, Targets: all}, 1e-2},
		{"LoRA r=16", train.Finetune{Rank: 16, Alpha: 32, Targets: all}, 1e-2},
		{"QLoRA nf4 r=4", train.Finetune{Rank: 4, Alpha: 8, Targets: all, Quantize: "nf4"}, 1e-2},
	}
	fmt.Fprintf(w, "adapting to %s (%d steps each; LoRA on %v, alpha = 2r)\n", newText, steps, all)
	fmt.Fprintf(w, "base: new-text val loss %.3f, Opticks val loss %.3f\n\n", before.Loss(), oldBefore.Loss())
	fmt.Fprintf(w, "%-16s %9s %8s %10s %7s %7s %7s %6s\n", "method", "trainable", "%", "bytes", "new", "new", "old", "time")
	fmt.Fprintf(w, "%-16s %9s %8s %10s %7s %7s %7s %6s\n", "", "params", "", "saved", "before", "after", "after", "s")
	var runs []string
	for i, m := range methods {
		o := base
		o.Data, o.Tokenizer = newText, ""
		o.Steps, o.Warmup, o.EvalEvery, o.LR, o.MinLR = steps, 20, 25, m.lr, m.lr/10
		ft := m.ft
		ft.Base = base.Out
		o.Finetune = &ft
		o.Out = filepath.Join(out, fmt.Sprintf("ft%d", i))
		t0 := time.Now()
		if _, err := train.Run(ctx, o, io.Discard); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		secs := time.Since(t0).Seconds()
		ck, err := checkpoint.LoadRun(o.Out)
		if err != nil {
			return err
		}
		total, n := ck.Model.NumParams(), ck.Model.NumTrainable()
		saved := int64(4 * total) // full: the whole model as float32
		if ck.Adapter != nil {
			st, err := os.Stat(filepath.Join(ck.Dir, "adapter_model.safetensors"))
			if err != nil {
				return err
			}
			saved = st.Size()
		}
		after, err := eval.Evaluate(eval.Options{Model: o.Out, Data: newText})
		if err != nil {
			return err
		}
		old, err := eval.Evaluate(eval.Options{Model: o.Out, Data: filepath.Join(gr, "src", "testdata", "Isaac.Newton-Opticks.txt")})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-16s %9d %7.2f%% %10d %7.3f %7.3f %7.3f %6.0f\n", m.name, n, 100*float64(n)/float64(total), saved, before.Loss(), after.Loss(), old.Loss(), secs)
		runs = append(runs, o.Out)
	}
	png := filepath.Join(out, "loss-curves.png")
	if err := plotRuns(png, methods, runs); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nnew = validation split of %s, old = of Opticks (what was forgotten)\nloss curves: %s\n", filepath.Base(newText), png)
	return nil
}

// plotRuns draws each run's training and validation loss in its own panel, side by side.
func plotRuns(path string, methods []method, runs []string) error {
	var row []*plot.Plot
	for i, dir := range runs {
		ms, err := train.ReadMetrics(filepath.Join(dir, checkpoint.MetricsFile))
		if err != nil {
			return err
		}
		var steps, val plotter.XYs
		for _, m := range ms {
			switch m.Kind {
			case "step":
				steps = append(steps, plotter.XY{X: float64(m.Step), Y: m.Loss})
			case "eval":
				val = append(val, plotter.XY{X: float64(m.Step), Y: m.ValLoss})
			}
		}
		p := plot.New()
		p.Title.Text = methods[i].name
		p.X.Label.Text = "step"
		p.Y.Label.Text = "loss (nats/token)"
		p.Y.Min, p.Y.Max = 1, 4.5
		p.Add(plotter.NewGrid())
		l, err := plotter.NewLine(steps)
		if err != nil {
			return err
		}
		l.Color = color.RGBA{R: 150, G: 150, B: 220, A: 255}
		v, err := plotter.NewLine(val)
		if err != nil {
			return err
		}
		v.Color, v.Width = color.RGBA{R: 200, G: 60, B: 40, A: 255}, vg.Points(2)
		p.Add(l, v)
		p.Legend.Add("train", l)
		p.Legend.Add("validation", v)
		p.Legend.Top = true
		row = append(row, p)
	}
	img := vgimg.New(vg.Length(len(row))*3.2*vg.Inch, 3.2*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Millimeter, PadY: vg.Millimeter, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, dc)
	for j, p := range row {
		p.Draw(canvases[0][j])
	}
	return pngfile.Write(path, img.Image())
}
