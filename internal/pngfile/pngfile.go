// Package pngfile writes images and gonum plots as PNG files, atomically,
// readable by everyone (0644), so a plot being redrawn during training is
// never seen half-written.
package pngfile

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"os"

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

// Read decodes the PNG file at path, to check what was written.
func Read(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not a PNG: %w", path, err)
	}
	return img, nil
}
