package attention

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/tick-llm/tick/internal/pngfile"
)

// grid presents one attention map to plotter.HeatMap: column c is the key
// position, row r the query position, drawn top to bottom.
type grid struct{ a Head }

func (g grid) Dims() (c, r int)   { r, c = g.a.Weights.Dims(); return c, r }
func (g grid) Z(c, r int) float64 { return g.a.Weights.At(r, c) }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { n, _ := g.a.Weights.Dims(); return float64(n - 1 - r) }

// scale is the colour bar: one column of n weights from 0 (bottom) to 1
// (top), drawn by the same plotter.HeatMap and palette as the maps, so the
// colour at height w on the bar is exactly the colour of weight w in a map.
type scale struct{ n int }

func (s scale) Dims() (c, r int)   { return 1, s.n }
func (s scale) Z(c, r int) float64 { return float64(r) / float64(s.n-1) }
func (s scale) X(c int) float64    { return 0 }
func (s scale) Y(r int) float64    { return float64(r) / float64(s.n-1) }

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

// pngLabel spells the marks tokenizer.Visible uses that the PNG's font
// (Liberation) has no glyph for as escapes.
var pngLabel = strings.NewReplacer("↵", `\n`, "␍", `\r`)

// Sizes in the PNG.
const (
	cell      = vg.Length(10) // points per token along each axis of a map
	tileExtra = vg.Length(90) // title, axis names and token labels around a map
	barWidth  = vg.Length(90) // the colour scale and its axis
	tickLabel = 8             // runes of a token shown on an axis, at most
)

// WritePNG draws layers as a grid of heat maps, a row per layer and a
// column per head (one tile when one head is picked), the keys along the
// bottom of each map and the queries down its side, labelled with the
// prompt's tokens, and a colour scale of the weights from 0 to 1 on the
// right, and writes it to path as a PNG.
func WritePNG(path string, layers [][]Head, labels []string) error {
	w, h, err := gridSize(layers, labels)
	if err != nil {
		return fmt.Errorf("attention PNG %s: %w", path, err)
	}
	img := vgimg.New(w, h)
	if err := drawGrid(draw.New(img), layers, labels); err != nil {
		return fmt.Errorf("attention PNG %s: %w", path, err)
	}
	return pngfile.Write(path, img.Image())
}

// gridSize is the size of the picture of layers: a square tile per map and
// the colour scale's strip.
func gridSize(layers [][]Head, labels []string) (w, h vg.Length, err error) {
	rows, cols := len(layers), 0
	for _, heads := range layers {
		cols = max(cols, len(heads))
	}
	if rows == 0 || cols == 0 || len(labels) == 0 {
		return 0, 0, fmt.Errorf("no maps to draw")
	}
	side := tileSide(len(labels))
	return side*vg.Length(cols) + barWidth, side * vg.Length(rows), nil
}

// tileSide is the width and height of the tile of one map of T tokens.
func tileSide(T int) vg.Length { return vg.Length(T)*cell + tileExtra }

// drawGrid draws the picture of layers (see WritePNG) onto dc, which
// gridSize says how large to make.
func drawGrid(dc draw.Canvas, layers [][]Head, labels []string) error {
	rows, cols := len(layers), 0
	for _, heads := range layers {
		cols = max(cols, len(heads))
	}
	T := len(labels)
	xticks, yticks := make([]plot.Tick, T), make([]plot.Tick, T)
	long := false // labels longer than a character are turned upright on the key axis
	for i, l := range labels {
		l = pngLabel.Replace(l)
		r := []rune(l)
		if len(r) > tickLabel {
			l = string(r[:tickLabel-1]) + "…"
		}
		long = long || len(r) > 1
		xticks[i] = plot.Tick{Value: float64(i), Label: l}
		yticks[i] = plot.Tick{Value: float64(T - 1 - i), Label: l}
	}
	plots := make([][]*plot.Plot, rows)
	for r, heads := range layers {
		plots[r] = make([]*plot.Plot, cols) // nil where a row has fewer heads
		for c, h := range heads {
			if n, m := h.Weights.Dims(); n != T || m != T {
				return fmt.Errorf("layer %d head %d is %dx%d for %d tokens", h.Layer, h.Head, n, m, T)
			}
			p := plot.New()
			p.Title.Text = fmt.Sprintf("layer %d, head %d", h.Layer, h.Head)
			hm := plotter.NewHeatMap(grid{h}, blues{})
			hm.Min, hm.Max = 0, 1
			p.Add(hm)
			p.X.Label.Text, p.Y.Label.Text = "key", "query"
			p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xticks), plot.ConstantTicks(yticks)
			p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(7), vg.Points(7)
			if long {
				p.X.Tick.Label.Rotation = math.Pi / 2
				p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
			}
			plots[r][c] = p
		}
	}

	side := tileSide(T)
	pad := vg.Points(6)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: pad, PadY: pad, PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(plots, tiles, draw.Crop(dc, 0, -barWidth, 0, 0))
	for r := range plots {
		for c, p := range plots[r] {
			if p != nil {
				p.Draw(canvases[r][c])
			}
		}
	}

	bar := plot.New()
	hm := plotter.NewHeatMap(scale{256}, blues{})
	hm.Min, hm.Max = 0, 1
	hm.Rasterized = true // as one image: 256 thin rectangles would show seams
	bar.Add(hm)
	bar.HideX() // the axis runs from a half cell below 0 to a half cell above 1
	bar.Y.Label.Text = "attention weight"
	bar.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.25, Label: "0.25"},
		{Value: 0.5, Label: "0.5"}, {Value: 0.75, Label: "0.75"}, {Value: 1, Label: "1"}})
	// The scale is as tall as a row of maps, beside the top row.
	area := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: dc.Max.X - barWidth + pad, Y: dc.Max.Y - side + pad},
		Max: vg.Point{X: dc.Max.X - pad, Y: dc.Max.Y - pad},
	}}
	bar.Draw(area)
	return nil
}
