package main

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tick-llm/tick/internal/pngfile"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/bpe"
)

// point is the compression of the held-out text by one vocabulary size.
type point struct {
	size          int
	tokens        int
	bytesPerToken float64
}

// compression encodes text with the first size tokens of v for each size.
// Merges are learned in order, so the vocabulary of size n is exactly the
// first n tokens of a larger one: training once at the largest size gives
// every smaller vocabulary too.
func compression(v *bpe.Vocab, sizes []int, text []byte) ([]point, error) {
	var points []point
	for _, n := range sizes {
		if n > v.Size() {
			break
		}
		ranks := make(map[string]int, n)
		for id, tok := range v.Tokens[:n] {
			ranks[string(tok)] = id
		}
		enc, err := tokenizer.New(fmt.Sprintf("opticks-%d", n), ranks, v.Pattern, nil)
		if err != nil {
			return nil, fmt.Errorf("vocabulary of %d tokens: %w", n, err)
		}
		ids := enc.EncodeOrdinary(string(text))
		points = append(points, point{n, len(ids), float64(len(text)) / float64(len(ids))})
	}
	return points, nil
}

// plotCompression draws bytes per token against vocabulary size, with
// GPT-4's figure on the same text as a dashed line, and writes it as a PNG
// (atomically: a crash never leaves half an image).
func plotCompression(path string, points []point, gpt4 float64) error {
	p := plot.New()
	p.Title.Text = "BPE compression of unseen text"
	p.X.Label.Text = "vocabulary size (tokens)"
	p.Y.Label.Text = "bytes per token"
	p.Y.Min = 0
	p.Y.Max = 1.15 * gpt4
	xy := make(plotter.XYs, len(points))
	for i, pt := range points {
		xy[i] = plotter.XY{X: float64(pt.size), Y: pt.bytesPerToken}
	}
	line, dots, err := plotter.NewLinePoints(xy)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	line.Color = color.RGBA{B: 200, A: 255}
	dots.Shape = draw.CircleGlyph{}
	ref, err := plotter.NewLine(plotter.XYs{{X: xy[0].X, Y: gpt4}, {X: xy[len(xy)-1].X, Y: gpt4}})
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	ref.Color = color.RGBA{R: 200, A: 255}
	ref.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(line, dots, ref, plotter.NewGrid())
	p.Legend.Add("trained here", line, dots)
	p.Legend.Add("GPT-4 (cl100k_base, 100k tokens)", ref)
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.YOffs = vg.Points(20)
	return pngfile.WritePlot(path, p, 6*vg.Inch, 4*vg.Inch)
}
