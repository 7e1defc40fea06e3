package train

import (
	"bytes"
	"fmt"
	"image/color"

	"github.com/tick-llm/tick/internal/atomicfile"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// writeLossPlot draws training loss per step (thin), and training and
// validation loss at each evaluation, against step, into a PNG at path.
func writeLossPlot(path string, metrics []Metric) error {
	var steps, trainEval, valEval plotter.XYs
	for _, m := range metrics {
		switch m.Kind {
		case "step":
			steps = append(steps, plotter.XY{X: float64(m.Step), Y: m.Loss})
		case "eval":
			trainEval = append(trainEval, plotter.XY{X: float64(m.Step), Y: m.TrainLoss})
			valEval = append(valEval, plotter.XY{X: float64(m.Step), Y: m.ValLoss})
		}
	}
	p := plot.New()
	p.Title.Text = "tick: loss (nats per token)"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "cross-entropy loss"
	p.Add(plotter.NewGrid())
	if len(steps) > 0 {
		l, err := plotter.NewLine(steps)
		if err != nil {
			return fmt.Errorf("loss plot: %w", err)
		}
		l.Color = plotColor(0xb0, 0xb0, 0xd8)
		l.Width = vg.Points(0.5)
		p.Add(l)
		p.Legend.Add("train (each step)", l)
	}
	for _, s := range []struct {
		name string
		xy   plotter.XYs
		rgb  [3]uint8
	}{{"train (eval)", trainEval, [3]uint8{0x1f, 0x4e, 0xb4}}, {"validation (eval)", valEval, [3]uint8{0xd6, 0x3a, 0x1c}}} {
		if len(s.xy) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(s.xy)
		if err != nil {
			return fmt.Errorf("loss plot: %w", err)
		}
		l.Color = plotColor(s.rgb[0], s.rgb[1], s.rgb[2])
		l.Width = vg.Points(1.5)
		pts.Color = l.Color
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	p.Legend.Top = true
	w, err := p.WriterTo(8*vg.Inch, 5*vg.Inch, "png")
	if err != nil {
		return fmt.Errorf("loss plot: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return fmt.Errorf("loss plot: %w", err)
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}

func plotColor(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 255} }
