package multimodal

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
)

// Images drawn by code: a black square of Side x Side pixels divided into a
// 3 x 3 grid of cells, with one or two shapes, each inside its own cell. A
// Scene is the truth about an image; Render draws it. Nothing is
// downloaded: every image and its description come from a seed.

// Side is the width and height of an image in pixels.
const Side = 24

// Grid is the number of cells along each side; a shape sits in one cell.
const Grid = 3

// cellSide is the side of a cell in pixels.
const cellSide = Side / Grid

// Shapes, colours, sizes and the names of rows and columns, as the
// captions say them.
var (
	Shapes    = []string{"circle", "square", "triangle", "cross"}
	Colours   = []string{"red", "green", "blue", "yellow", "magenta", "cyan"}
	SizeNames = []string{"small", "large"}
	Rows      = []string{"top", "middle", "bottom"}
	Columns   = []string{"left", "centre", "right"}
)

// palette holds the RGB value (0..1) of each colour of Colours.
var palette = [][3]float64{
	{1, 0, 0},     // red
	{0, 0.8, 0},   // green
	{0.2, 0.4, 1}, // blue
	{1, 1, 0},     // yellow
	{1, 0, 1},     // magenta
	{0, 1, 1},     // cyan
}

// radii are the half-widths in pixels of a small and a large shape,
// centred on a pixel: a small shape is 5 pixels across, a large one 7. At
// this resolution each of the eight (shape, size) pairs still draws its own
// pixels (a test checks).
var radii = []float64{2.4, 3.4}

// offsets are the offsets a shape's centre pixel may have from pixel 3 of
// its cell (of 0..7), per size, so that the shape stays inside its cell.
var offsets = [][]int{{-1, 0, 1, 2}, {0, 1}}

// Object is one shape of a scene: indexes into Shapes, Colours, SizeNames,
// Rows and Columns, and the offset in pixels of its centre pixel from
// pixel (3, 3) of its cell: -1 to 2 each way for a small shape, 0 or 1 for
// a large one.
type Object struct {
	Shape, Colour, Size, Row, Col int
	DX, DY                        int
}

// Scene is what an image shows: one or two objects in different cells, in
// reading order (by row, then column), the order the caption names them.
type Scene struct {
	Objects []Object
}

// Cell is the index of the object's cell in reading order, 0..8.
func (o Object) Cell() int { return o.Row*Grid + o.Col }

// RandomScene draws a scene of 1 to maxObjects objects (each count equally
// likely), each attribute uniform, the objects in different cells.
func RandomScene(rng *rand.Rand, maxObjects int) Scene {
	n := 1 + rng.IntN(maxObjects)
	cells := rng.Perm(Grid * Grid)[:n]
	var s Scene
	for c := range Grid * Grid { // reading order
		for _, want := range cells {
			if want == c {
				o := Object{Shape: rng.IntN(len(Shapes)), Colour: rng.IntN(len(Colours)), Size: rng.IntN(len(SizeNames)),
					Row: c / Grid, Col: c % Grid}
				off := offsets[o.Size]
				o.DX, o.DY = off[rng.IntN(len(off))], off[rng.IntN(len(off))]
				s.Objects = append(s.Objects, o)
			}
		}
	}
	return s
}

// Validate reports the first thing that makes s not a scene the generator
// could draw.
func (s Scene) Validate() error {
	if len(s.Objects) == 0 || len(s.Objects) > Grid*Grid {
		return fmt.Errorf("scene: %d objects; want 1 to %d", len(s.Objects), Grid*Grid)
	}
	for i, o := range s.Objects {
		switch {
		case o.Shape < 0 || o.Shape >= len(Shapes), o.Colour < 0 || o.Colour >= len(Colours),
			o.Size < 0 || o.Size >= len(SizeNames), o.Row < 0 || o.Row >= Grid, o.Col < 0 || o.Col >= Grid,
			!slices.Contains(offsets[o.Size], o.DX), !slices.Contains(offsets[o.Size], o.DY):
			return fmt.Errorf("scene: object %d %+v has an attribute out of range", i, o)
		}
		if i > 0 && s.Objects[i-1].Cell() >= o.Cell() {
			return fmt.Errorf("scene: objects %d and %d are not in different cells in reading order", i-1, i)
		}
	}
	return nil
}

// Image is an RGB image of Side x Side pixels, values in [0, 1], stored
// row by row, three values a pixel: Pix[(y*Side+x)*3+c].
type Image struct {
	Pix [Side * Side * 3]float64
}

// Render draws the scene: each object in its colour on black.
func Render(s Scene) *Image {
	img := &Image{}
	for _, o := range s.Objects {
		cx := float64(o.Col*cellSide+3+o.DX) + 0.5 // the centre of the centre pixel
		cy := float64(o.Row*cellSide+3+o.DY) + 0.5
		r := radii[o.Size]
		rgb := palette[o.Colour]
		for y := range Side {
			for x := range Side {
				// the offset of the pixel's centre from the shape's centre
				dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
				if inside(o.Shape, dx, dy, r) {
					copy(img.Pix[(y*Side+x)*3:][:3], rgb[:])
				}
			}
		}
	}
	return img
}

// inside reports whether the point (dx, dy) from a shape's centre (y down)
// lies in the shape of half-width r.
func inside(shape int, dx, dy, r float64) bool {
	switch Shapes[shape] {
	case "circle":
		return dx*dx+dy*dy <= r*r
	case "square": // 5 or 7 pixels across, as the circle
		return math.Abs(dx) <= r-0.4 && math.Abs(dy) <= r-0.4
	case "triangle": // apex up: half-width grows from 0 at the top to r at the base
		return dy >= -r && dy <= r && math.Abs(dx) <= (dy+r)/2
	case "cross": // a plus sign, arms r/3 wide
		return (math.Abs(dx) <= r/3 && math.Abs(dy) <= r) || (math.Abs(dy) <= r/3 && math.Abs(dx) <= r)
	}
	return false
}

// Key is the image's content, as bytes: two images are the same image
// exactly when their keys are equal.
func (img *Image) Key() string {
	b := make([]byte, len(img.Pix))
	for i, v := range img.Pix {
		b[i] = uint8(math.Round(255 * v))
	}
	return string(b)
}

// RGBA is the image as a Go image, each pixel scale x scale screen pixels.
func (img *Image) RGBA(scale int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, Side*scale, Side*scale))
	for y := range Side * scale {
		for x := range Side * scale {
			p := img.Pix[((y/scale)*Side+x/scale)*3:][:3]
			out.Set(x, y, color.RGBA{R: uint8(math.Round(255 * p[0])), G: uint8(math.Round(255 * p[1])), B: uint8(math.Round(255 * p[2])), A: 255})
		}
	}
	return out
}
