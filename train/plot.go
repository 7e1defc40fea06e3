package train

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tick-llm/tick/internal/pngfile"
)

// The loss plot has to be honest about what was measured where:
//
//   - The loss of each training step is noisy (each step sees other
//     windows), so it is drawn faint, with its centred moving mean over it.
//     A centred window, not a trailing mean or an exponential moving
//     average: those lag behind a falling loss and so draw it too high,
//     the very mistake this plot must not make.
//   - Evaluations are sparse (every EvalEvery steps, 250 by default), and
//     a straight line from the step-0 evaluation (the untrained model, at
//     about ln(vocabulary size)) to the next one would claim a loss far
//     above the training curve for all the steps between. So evaluations
//     are drawn as points only: a point is what was measured.

// Colours of the loss plot.
var (
	stepColour   = color.RGBA{R: 0xb0, G: 0xb0, B: 0xd8, A: 255} // each step, faint
	smoothColour = color.RGBA{R: 0x1f, G: 0x4e, B: 0xb4, A: 255} // its moving mean
	trainColour  = color.RGBA{R: 0x0b, G: 0x1f, B: 0x5c, A: 255} // training windows at evaluations
	valColour    = color.RGBA{R: 0xd6, G: 0x3a, B: 0x1c, A: 255} // validation at evaluations
)

// smoothHalf is the half-width k of the moving mean drawn over n per-step
// losses: a window of 2k+1 steps, about 4% of the run. Below 50 steps it
// is 0 and no mean is drawn: a few steps are readable as they are.
func smoothHalf(n int) int { return n / 50 }

// centredMean returns, for each i, the mean of ys[i-h..i+h] where
// h = min(k, i, len(ys)-1-i): a window of 2k+1 values centred on i, that
// narrows at the two ends so that it stays centred (and so follows a
// straight line exactly, up to rounding). It uses running sums: O(n) for any k.
func centredMean(ys []float64, k int) []float64 {
	n := len(ys)
	sum := make([]float64, n+1) // sum[i] = ys[0] + ... + ys[i-1]
	for i, y := range ys {
		sum[i+1] = sum[i] + y
	}
	out := make([]float64, n)
	for i := range ys {
		h := min(k, i, n-1-i)
		out[i] = (sum[i+h+1] - sum[i-h]) / float64(2*h+1)
	}
	return out
}

// lossCurves are the data of loss.png, taken from the metrics.
type lossCurves struct {
	steps     plotter.XYs // training loss of each step
	smooth    plotter.XYs // its centred mean over 2*half+1 steps; nil if half is 0
	half      int
	trainEval plotter.XYs // loss on the fixed training windows at each evaluation
	valEval   plotter.XYs // loss on the fixed validation windows at each evaluation
}

func curvesOf(metrics []Metric) lossCurves {
	var c lossCurves
	for _, m := range metrics {
		switch m.Kind {
		case "step":
			c.steps = append(c.steps, plotter.XY{X: float64(m.Step), Y: m.Loss})
		case "eval":
			c.trainEval = append(c.trainEval, plotter.XY{X: float64(m.Step), Y: m.TrainLoss})
			c.valEval = append(c.valEval, plotter.XY{X: float64(m.Step), Y: m.ValLoss})
		}
	}
	if c.half = smoothHalf(len(c.steps)); c.half > 0 {
		ys := make([]float64, len(c.steps))
		for i, s := range c.steps {
			ys[i] = s.Y
		}
		c.smooth = make(plotter.XYs, len(ys))
		for i, y := range centredMean(ys, c.half) {
			c.smooth[i] = plotter.XY{X: c.steps[i].X, Y: y}
		}
	}
	return c
}

// lossPlot draws the curves: training loss per step (faint) and its
// moving mean as lines, and the two losses measured at each evaluation as
// points.
func lossPlot(c lossCurves) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "tick: loss (nats per token)"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "cross-entropy loss"
	p.Add(plotter.NewGrid())
	if len(c.steps) > 0 {
		l, err := plotter.NewLine(c.steps)
		if err != nil {
			return nil, fmt.Errorf("loss plot: %w", err)
		}
		name := "train, each step"
		l.Color, l.Width = smoothColour, vg.Points(1)
		if c.smooth != nil {
			name = "train, each step (faint)"
			l.Color, l.Width = stepColour, vg.Points(0.5)
		}
		p.Add(l)
		// The legend's sample of a 0.5-point line in a pale colour is
		// invisible; a thicker one of the same colour is not.
		swatch := *l
		swatch.Width = vg.Points(2.5)
		p.Legend.Add(name, &swatch)
	}
	if c.smooth != nil {
		l, err := plotter.NewLine(c.smooth)
		if err != nil {
			return nil, fmt.Errorf("loss plot: %w", err)
		}
		l.Color, l.Width = smoothColour, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("train, centred mean of %d steps", 2*c.half+1), l)
	}
	for _, s := range []struct {
		name  string
		xy    plotter.XYs
		col   color.Color
		glyph draw.GlyphDrawer
	}{
		{"train windows, at evaluations", c.trainEval, trainColour, draw.BoxGlyph{}},
		{"validation, at evaluations", c.valEval, valColour, draw.CircleGlyph{}},
	} {
		if len(s.xy) == 0 {
			continue
		}
		pts, err := plotter.NewScatter(s.xy)
		if err != nil {
			return nil, fmt.Errorf("loss plot: %w", err)
		}
		pts.Color, pts.Shape, pts.Radius = s.col, s.glyph, vg.Points(3)
		p.Add(pts)
		p.Legend.Add(s.name, pts)
	}
	p.Legend.Top = true // losses fall, so the top right is free
	return p, nil
}

// writeLossPlot draws the metrics into a PNG at path.
func writeLossPlot(path string, metrics []Metric) error {
	p, err := lossPlot(curvesOf(metrics))
	if err != nil {
		return err
	}
	return pngfile.WritePlot(path, p, 8*vg.Inch, 5*vg.Inch)
}
