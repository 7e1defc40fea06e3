package pngfile

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func TestWriteRoundTrip(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(2, 1, color.RGBA{200, 10, 30, 255})
	path := filepath.Join(t.TempDir(), "x.png")
	if err := Write(path, img); err != nil {
		t.Fatal(err)
	}
	back := decode(t, path)
	if back.Bounds() != img.Bounds() {
		t.Fatalf("bounds %v, want %v", back.Bounds(), img.Bounds())
	}
	r, g, b, _ := back.At(2, 1).RGBA()
	if r>>8 != 200 || g>>8 != 10 || b>>8 != 30 {
		t.Fatalf("pixel (2,1) = %d %d %d, want 200 10 30", r>>8, g>>8, b>>8)
	}
}

func TestWritePlotSize(t *testing.T) {
	p := plot.New()
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(l)
	path := filepath.Join(t.TempDir(), "p.png")
	if err := WritePlot(path, p, 2*vg.Inch, 1*vg.Inch); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("stat %v, %v; want mode 0644", st, err)
	}
	// gonum renders PNGs at 96 dots per inch.
	if b := decode(t, path).Bounds(); b.Dx() != 192 || b.Dy() != 96 {
		t.Fatalf("plot is %dx%d pixels, want 192x96 (2x1 inches at 96 dpi)", b.Dx(), b.Dy())
	}
}

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	img, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestReadRefusesWhatIsNotAPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.png")
	os.WriteFile(path, []byte("GIF89a, not a PNG"), 0o644)
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), "not a PNG") {
		t.Fatalf("Read of a file that is not a PNG: %v", err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.png")); err == nil {
		t.Fatal("Read of a missing file succeeded")
	}
}
