package main

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tick-llm/tick/internal/pngfile"
	"github.com/tick-llm/tick/train"
)

// colours of the two runs.
var colours = []color.Color{color.RGBA{B: 200, A: 255}, color.RGBA{R: 200, G: 80, A: 255}}

// smoothing is the window of the moving average drawn over the noisy
// per-step training loss.
const smoothing = 10

// plotLosses draws, for each run, its training loss (a moving average over
// steps) as a line and its validation loss at each evaluation as points.
func plotLosses(path string, names []string, curves [][]train.Metric) error {
	p := plot.New()
	p.Title.Text = "gpt vs llama: same data, same budget"
	p.X.Label.Text = "step"
	p.Y.Label.Text = "loss (nats per token)"
	for i, metrics := range curves {
		var steps, val plotter.XYs
		var window []float64
		for _, m := range metrics {
			switch m.Kind {
			case "step":
				window = append(window, m.Loss)
				if len(window) > smoothing {
					window = window[1:]
				}
				sum := 0.0
				for _, l := range window {
					sum += l
				}
				steps = append(steps, plotter.XY{X: float64(m.Step), Y: sum / float64(len(window))})
			case "eval":
				val = append(val, plotter.XY{X: float64(m.Step), Y: m.ValLoss})
			}
		}
		if len(steps) == 0 {
			return fmt.Errorf("plot: run %s has no training steps in its metrics", names[i])
		}
		line, err := plotter.NewLine(steps)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		line.Color = colours[i%len(colours)]
		p.Add(line)
		p.Legend.Add(names[i]+" train (mean of 10 steps)", line)
		if len(val) > 0 {
			pts, err := plotter.NewScatter(val)
			if err != nil {
				return fmt.Errorf("plot: %w", err)
			}
			pts.Color = colours[i%len(colours)]
			pts.Shape = draw.CircleGlyph{}
			pts.Radius = vg.Points(3)
			p.Add(pts)
			p.Legend.Add(names[i]+" validation", pts)
		}
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true // losses fall, so the top right is free
	return savePNG(p, path)
}

// savePNG writes the plot, making its folder if needed.
func savePNG(p *plot.Plot, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return pngfile.WritePlot(path, p, 7*vg.Inch, 4.5*vg.Inch)
}
