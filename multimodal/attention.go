package multimodal

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/tick-llm/tick/internal/pngfile"
)

// Where the model looks: when the decoder writes a word of its answer, the
// query at the position that predicts that word attends over every earlier
// position, the image's patches among them. Its weights on the NumPatches
// patches, laid over the image, show which part of the picture the word
// came from.

// WordAttention is the attention, in every layer and head, of the position
// that predicted one word of an answer.
type WordAttention struct {
	Word string
	// Patches[l][h][p] is the weight head h of layer l puts on patch p
	// (reading order); the rest of the head's weight, up to 1, is on text.
	Patches [][][NumPatches]float64
}

// Attention runs the model on the example's image and prompt followed by
// answer (the model's own answer, to see how it reached it) and returns,
// for each word of answer, the attention of the position that predicted it.
func Attention(m *Model, ex Example, answer string) ([]WordAttention, error) {
	prompt, err := Tokens(ex.Prompt)
	if err != nil {
		return nil, err
	}
	words, err := Tokens(answer)
	if err != nil {
		return nil, err
	}
	if len(prompt) == 0 || len(words) == 0 {
		return nil, fmt.Errorf("attention: prompt %q and answer %q must both have words", ex.Prompt, answer)
	}
	// The last word is written, not read: the input ends one word before it.
	text := append(prompt, words[:len(words)-1]...)
	T := NumPatches + len(text)
	if T > m.Decoder.Config.Context {
		return nil, fmt.Errorf("attention: %d patches and %d words before the last do not fit the context of %d", NumPatches, len(text), m.Decoder.Config.Context)
	}
	m.Decoder.SetTraining(false, 0)
	if _, err := m.forward([]*Image{ex.Image}, [][]int{text}, T, false); err != nil {
		return nil, err
	}
	c := m.Decoder.Config
	out := make([]WordAttention, len(words))
	for k := range words {
		q := NumPatches + len(prompt) - 1 + k // the position whose output is word k
		out[k] = WordAttention{Word: Vocab[words[k]], Patches: make([][][NumPatches]float64, c.Layers)}
		for l := range c.Layers {
			heads := m.Decoder.Attention(l)[0]
			out[k].Patches[l] = make([][NumPatches]float64, c.Heads)
			for h := range c.Heads {
				copy(out[k].Patches[l][h][:], heads[h].RawRowView(q)[:NumPatches])
			}
		}
	}
	return out, nil
}

// Sizes in the attention PNG, in pixels (it is drawn at 72 dpi, one point
// a pixel).
const (
	tileScale = 3                // screen pixels per image pixel
	tile      = Side * tileScale // side of a tile
	gap       = 6
	leftSpace = 64 // the words
	topSpace  = 34 // the title and the layer and head of each column
	footSpace = 14 // the share of attention on the image under each tile
)

// WriteAttentionPNG draws the attention of each word (a row) in each layer
// and head (a column) over the image, and writes it to path. The first
// column is the image itself. In a tile the image is dimmed where the head
// looks little and lit where it looks most, scaled to the tile's largest
// weight on a patch; under the tile, the share of the head's attention
// that went to the image at all.
func WriteAttentionPNG(path string, img *Image, words []WordAttention, title string) error {
	if len(words) == 0 || len(words[0].Patches) == 0 || len(words[0].Patches[0]) == 0 {
		return fmt.Errorf("attention PNG %s: no attention to draw", path)
	}
	L, H := len(words[0].Patches), len(words[0].Patches[0])
	cols := 1 + L*H
	w := leftSpace + cols*(tile+gap)
	h := topSpace + len(words)*(tile+footSpace+gap)
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(w), vg.Length(h)), vgimg.UseDPI(72))
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	style := func(size vg.Length) draw.TextStyle {
		return draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, size), Handler: plot.DefaultTextHandler}
	}
	// y grows upwards in vg; rows are counted from the top.
	top := func(y int) vg.Length { return vg.Length(h - y) }
	label := func(s string, x, y int, size vg.Length, xAlign draw.XAlignment) {
		st := style(size)
		st.XAlign, st.YAlign = xAlign, draw.YTop
		dc.FillText(st, vg.Point{X: vg.Length(x), Y: top(y)}, s)
	}
	label(title, gap, 4, 11, draw.XLeft)
	colX := func(col int) int { return leftSpace + col*(tile+gap) }
	label("image", colX(0)+tile/2, 20, 9, draw.XCenter)
	for l := range L {
		for hd := range H {
			label(fmt.Sprintf("layer %d head %d", l, hd), colX(1+l*H+hd)+tile/2, 20, 8, draw.XCenter)
		}
	}
	for r, wa := range words {
		y := topSpace + r*(tile+footSpace+gap)
		label(wa.Word, leftSpace-gap, y+tile/2-6, 11, draw.XRight)
		put := func(col int, im image.Image) {
			x := colX(col)
			c.DrawImage(vg.Rectangle{Min: vg.Point{X: vg.Length(x), Y: top(y + tile)}, Max: vg.Point{X: vg.Length(x + tile), Y: top(y)}}, im)
		}
		put(0, img.RGBA(tileScale))
		for l := range L {
			for hd := range H {
				put(1+l*H+hd, overlay(img, wa.Patches[l][hd]))
				share := 0.0
				for _, v := range wa.Patches[l][hd] {
					share += v
				}
				label(fmt.Sprintf("%.0f%% on image", 100*share), colX(1+l*H+hd)+tile/2, y+tile+1, 7, draw.XCenter)
			}
		}
	}
	return pngfile.Write(path, c.Image())
}

// overlay is the image lit by the attention weights of its patches: a
// pixel keeps 20% of its colour plus 80% times its patch's weight over the
// largest, with a grey lift so a black patch that draws attention shows.
func overlay(img *Image, weights [NumPatches]float64) *image.RGBA {
	top := 0.0
	for _, v := range weights {
		top = max(top, v)
	}
	out := image.NewRGBA(image.Rect(0, 0, tile, tile))
	for y := range tile {
		for x := range tile {
			px, py := x/tileScale, y/tileScale
			a := 0.0
			if top > 0 {
				a = weights[(py/PatchSide)*PatchesPerSide+px/PatchSide] / top
			}
			p := img.Pix[(py*Side+px)*3:][:3]
			v := func(c float64) uint8 { return uint8(math.Round(255 * min(1, c*(0.2+0.8*a)+0.4*a))) }
			out.Set(x, y, color.RGBA{R: v(p[0]), G: v(p[1]), B: v(p[2]), A: 255})
		}
	}
	return out
}
