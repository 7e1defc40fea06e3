package align

import (
	"fmt"
	"image/color"
	"io"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/tick-llm/tick/internal/atomicfile"
)

// A stage's plot has one panel per figure (loss, accuracy, margin,
// reward, kl ...), each against the step, in train/plot.go's style: every
// step drawn faint (each step sees another batch, so it is noisy), and
// over it, from 50 steps on, the centred moving mean of about 4% of the
// run. A centred window, not a trailing one: a trailing mean lags behind a
// moving curve and so draws it wrong.

var (
	faintColour  = color.RGBA{R: 0xb0, G: 0xb0, B: 0xd8, A: 255}
	smoothColour = color.RGBA{R: 0x1f, G: 0x4e, B: 0xb4, A: 255}
)

// centredMean is the mean of ys[i-k..i+k], the window cut at the ends.
func centredMean(ys []float64, k int) []float64 {
	out := make([]float64, len(ys))
	for i := range ys {
		lo, hi := max(0, i-k), min(len(ys)-1, i+k)
		s := 0.0
		for _, y := range ys[lo : hi+1] {
			s += y
		}
		out[i] = s / float64(hi-lo+1)
	}
	return out
}

// plotFigures are the figures of logs in figureOrder, then any others in
// name order; the learning rate is left out (it is the schedule, not a
// measurement).
func plotFigures(logs []StepMetric) []string {
	seen := map[string]bool{}
	for _, m := range logs {
		for k := range m.Figures {
			seen[k] = true
		}
	}
	var names []string
	for _, k := range figureOrder {
		if seen[k] && k != "lr" {
			names = append(names, k)
		}
	}
	var rest []string
	for k := range seen {
		if !slices.Contains(figureOrder, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// figurePlot is one panel: figure name of every step of logs.
func figurePlot(stage, name string, logs []StepMetric) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("tick align %s: %s", stage, name)
	p.X.Label.Text = "step"
	p.Add(plotter.NewGrid())
	var xy plotter.XYs
	var ys []float64
	for _, m := range logs {
		if v, ok := m.Figures[name]; ok {
			xy = append(xy, plotter.XY{X: float64(m.Step), Y: v})
			ys = append(ys, v)
		}
	}
	if len(xy) == 0 {
		return p, nil
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, fmt.Errorf("%s plot: %w", name, err)
	}
	l.Color, l.Width = smoothColour, vg.Points(1)
	if k := len(ys) / 50; k > 0 {
		l.Color, l.Width = faintColour, vg.Points(0.5)
		mean := centredMean(ys, k)
		sm := make(plotter.XYs, len(xy))
		for i := range xy {
			sm[i] = plotter.XY{X: xy[i].X, Y: mean[i]}
		}
		ml, err := plotter.NewLine(sm)
		if err != nil {
			return nil, fmt.Errorf("%s plot: %w", name, err)
		}
		ml.Color, ml.Width = smoothColour, vg.Points(1.5)
		p.Add(l, ml)
		p.Legend.Add(fmt.Sprintf("centred mean of %d steps", 2*k+1), ml)
		p.Legend.Top = true
		return p, nil
	}
	p.Add(l)
	return p, nil
}

// writeStagePlot draws every figure of logs into a PNG at path, two
// panels a row, written atomically.
func writeStagePlot(path, stage string, logs []StepMetric) error {
	names := plotFigures(logs)
	if len(names) == 0 {
		return nil
	}
	cols := min(2, len(names))
	rows := (len(names) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			grid[r][c] = plot.New() // a blank tile when the figures are odd
			grid[r][c].HideAxes()
		}
	}
	for i, n := range names {
		p, err := figurePlot(stage, n, logs)
		if err != nil {
			return err
		}
		grid[i/cols][i%cols] = p
	}
	img := vgimg.New(vg.Length(cols)*5*vg.Inch, vg.Length(rows)*3.2*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c := range grid[r] {
			grid[r][c].Draw(canvases[r][c])
		}
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}
