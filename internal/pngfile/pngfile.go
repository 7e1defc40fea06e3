// Package pngfile writes images and gonum plots as PNG files, atomically,
// readable by everyone (0644), so a plot being redrawn during training is
// never seen half-written.
package pngfile

import (
	"fmt"
	"image"
	"image/png"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/tick-llm/tick/internal/atomicfile"
)

// Write saves img as a PNG file at path.
func Write(path string, img image.Image) error {
	return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// WritePlot renders p at width x height and saves it as a PNG file at path.
func WritePlot(path string, p *plot.Plot, width, height vg.Length) error {
	wt, err := p.WriterTo(width, height, "png")
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
