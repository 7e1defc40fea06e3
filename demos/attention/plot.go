package main

import (
	"fmt"
	"image/color"

	"github.com/tick-llm/tick/internal/pngfile"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// grid presents one attention map to plotter.HeatMap: column c is the key
// position, row r the query position, drawn top to bottom.
type grid struct{ a *mat.Dense }

func (g grid) Dims() (c, r int)   { r, c = g.a.Dims(); return c, r }
func (g grid) Z(c, r int) float64 { return g.a.At(r, c) }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { n, _ := g.a.Dims(); return float64(n - 1 - r) }

// blues runs from white (weight 0) to dark blue (weight 1).
type blues struct{}

func (blues) Colors() []color.Color {
	const n = 32
	cs := make([]color.Color, n)
	for i := range cs {
		t := float64(i) / (n - 1)
		cs[i] = color.RGBA{R: uint8(255 * (1 - 0.9*t)), G: uint8(255 * (1 - 0.75*t)), B: uint8(255 * (1 - 0.35*t)), A: 255}
	}
	return cs
}

// plotGrid draws every head of every layer as a heat map, layers as rows
// and heads as columns, with the tokens along the axes, and writes a PNG.
func plotGrid(path string, maps [][]*mat.Dense, labels []string) error {
	rows, cols := len(maps), len(maps[0])
	T := len(labels)
	xticks := make([]plot.Tick, T)
	yticks := make([]plot.Tick, T)
	for i, l := range labels {
		xticks[i] = plot.Tick{Value: float64(i), Label: l}
		yticks[i] = plot.Tick{Value: float64(T - 1 - i), Label: l}
	}
	plots := make([][]*plot.Plot, rows)
	for l := range rows {
		plots[l] = make([]*plot.Plot, cols)
		for h := range cols {
			p := plot.New()
			p.Title.Text = fmt.Sprintf("layer %d, head %d", l, h)
			hm := plotter.NewHeatMap(grid{maps[l][h]}, blues{})
			hm.Min, hm.Max = 0, 1
			p.Add(hm)
			p.X.Tick.Marker = plot.ConstantTicks(xticks)
			p.Y.Tick.Marker = plot.ConstantTicks(yticks)
			p.X.Tick.Label.Font.Size = vg.Points(7)
			p.Y.Tick.Label.Font.Size = vg.Points(7)
			plots[l][h] = p
		}
	}
	side := vg.Length(T)*vg.Points(9) + vg.Points(60)
	img := vgimg.New(side*vg.Length(cols), side*vg.Length(rows))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(6), PadY: vg.Points(6),
		PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6)}
	canvases := plot.Align(plots, tiles, dc)
	for l := range rows {
		for h := range cols {
			plots[l][h].Draw(canvases[l][h])
		}
	}

	return pngfile.Write(path, img.Image())
}
