package attention

import (
	"bytes"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rivo/uniseg"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/tick-llm/tick/internal/pngfile"
	"github.com/tick-llm/tick/internal/tinymodel"
	"github.com/tick-llm/tick/transformer"
)

// tinyModel is an untrained 2-layer, 3-head model: its attention is not
// learned, but it is a real softmax over real scores.
func tinyModel(t *testing.T, preset string) *transformer.Model {
	t.Helper()
	return tinymodel.New(t, preset, tinymodel.Sizes{Vocab: 20, Context: 8, Layers: 2, Heads: 3, KVHeads: 3, Dim: 12, FFDim: 24}, 7)
}

// TestMaps checks the maps against the model's own after a forward pass
// done here, that each row is a distribution over the keys up to the query,
// and that they are copies that outlive the next forward pass.
func TestMaps(t *testing.T) {
	for _, preset := range []string{"gpt", "llama"} {
		t.Run(preset, func(t *testing.T) {
			m := tinyModel(t, preset)
			ids := []int{3, 1, 4, 1, 5, 9}
			maps, err := Maps(m, ids)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Forward(ids, nil, 1, len(ids)); err != nil {
				t.Fatal(err)
			}
			want := make([][]*mat.Dense, m.Config.Layers)
			for l := range want {
				for _, a := range m.Attention(l)[0] {
					want[l] = append(want[l], mat.DenseCopyOf(a))
				}
			}
			if _, err := m.Forward([]int{0, 0, 0, 0, 0, 0, 0, 0}, nil, 1, 8); err != nil {
				t.Fatal(err)
			}
			if len(maps) != m.Config.Layers {
				t.Fatalf("%d layers of maps, the model has %d", len(maps), m.Config.Layers)
			}
			for l, heads := range maps {
				if len(heads) != m.Config.Heads {
					t.Fatalf("layer %d: %d maps, the model has %d heads", l, len(heads), m.Config.Heads)
				}
				for h, a := range heads {
					if a.Layer != l || a.Head != h {
						t.Errorf("maps[%d][%d] says it is layer %d head %d", l, h, a.Layer, a.Head)
					}
					if !mat.Equal(a.Weights, want[l][h]) {
						t.Errorf("layer %d head %d differs from Model.Attention after the same forward pass (or was overwritten by the next)", l, h)
					}
					for i := range ids {
						sum := 0.0
						for j := range ids {
							w := a.Weights.At(i, j)
							if j > i && w != 0 {
								t.Errorf("layer %d head %d: query %d gives key %d (ahead of it) weight %g", l, h, i, j, w)
							}
							sum += w
						}
						if math.Abs(sum-1) > 1e-12 {
							t.Errorf("layer %d head %d: row %d adds up to %.15g, not 1", l, h, i, sum)
						}
					}
				}
			}
		})
	}
	m := tinyModel(t, "gpt")
	for _, n := range []int{0, 9} {
		if _, err := Maps(m, make([]int, n)); err == nil || !strings.Contains(err.Error(), "Config.Context") {
			t.Errorf("%d tokens for a context of 8: error %v, want one naming Config.Context", n, err)
		}
	}
}

// causal returns a T x T map with random rows that add up to 1 and zeros
// above the diagonal; the weights spread from near 0 to near 1.
func causal(rng *rand.Rand, T int) *mat.Dense {
	a := mat.NewDense(T, T, nil)
	for i := range T {
		sum := 0.0
		for j := 0; j <= i; j++ {
			w := math.Exp(3 * rng.NormFloat64())
			a.Set(i, j, w)
			sum += w
		}
		for j := 0; j <= i; j++ {
			a.Set(i, j, a.At(i, j)/sum)
		}
	}
	return a
}

// legendRange is one block of the legend and the weights it stands for.
type legendRange struct {
	block  string
	lo, hi float64
}

// parseLegend reads Legend's text: `" " < 0.05, ░ < 0.15, ..., █ >= 0.65`.
func parseLegend(t *testing.T, s string) []legendRange {
	t.Helper()
	var rs []legendRange
	lo := 0.0
	for _, part := range strings.Split(s, ", ") {
		m := regexp.MustCompile(`^"?(.)"? (<|>=) ([0-9.]+)$`).FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("legend part %q is not BLOCK < X or BLOCK >= X", part)
		}
		x, _ := strconv.ParseFloat(m[3], 64)
		if m[2] == ">=" {
			rs = append(rs, legendRange{m[1], x, math.Inf(1)})
			continue
		}
		rs = append(rs, legendRange{m[1], lo, x})
		lo = x
	}
	return rs
}

// parsedMap is one map read back from Write's output.
type parsedMap struct {
	head   int
	labels []string   // row labels, in order
	cells  [][]string // [query][key] block
}

// parseWrite reads the maps back from Write's output for T tokens: each
// band starts with a line of titles "head H", whose column says where each
// map starts; after it come the position lines, then T rows.
func parseWrite(t *testing.T, out string, T int) []parsedMap {
	t.Helper()
	lines := strings.Split(out, "\n")
	title := regexp.MustCompile(`^ +head \d+( +head \d+)*$`)
	var maps []parsedMap
	for n := 0; n < len(lines); n++ {
		if !title.MatchString(lines[n]) {
			continue
		}
		var starts, heads []int
		for _, loc := range regexp.MustCompile(`head (\d+)`).FindAllStringSubmatchIndex(lines[n], -1) {
			starts = append(starts, uniseg.StringWidth(lines[n][:loc[0]]))
			h, _ := strconv.Atoi(lines[n][loc[2]:loc[3]])
			heads = append(heads, h)
		}
		n++
		for strings.Trim(lines[n], " 0123456789") == "" { // the key positions
			n++
		}
		band := make([]parsedMap, len(heads))
		for k := range band {
			band[k].head = heads[k]
		}
		for i := range T {
			// row[c] is what is shown in terminal column c.
			var row []rune
			for _, r := range lines[n+i] {
				for range uniseg.StringWidth(string(r)) {
					row = append(row, r)
				}
			}
			m := regexp.MustCompile(`^ *(\d+) (\S+)`).FindStringSubmatch(lines[n+i])
			if m == nil || m[1] != strconv.Itoa(i) {
				t.Fatalf("row %d of the band at line %d starts %q, not with its position and token", i, n, lines[n+i])
			}
			for k := range band {
				band[k].labels = append(band[k].labels, m[2])
				cells := make([]string, T)
				for j := range T {
					cells[j] = " " // trailing blanks are trimmed
					if c := starts[k] + j; c < len(row) {
						cells[j] = string(row[c])
					}
				}
				band[k].cells = append(band[k].cells, cells)
			}
		}
		maps = append(maps, band...)
		n += T - 1
	}
	return maps
}

// TestWrite draws three random heads of 16 tokens into 64 columns and reads
// them back: each head once, as many per band as fit, each row labelled
// with its position and token, and every cell the block the printed legend
// gives its weight (query down, key across: a transposed map fails).
func TestWrite(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const T, width = 16, 64
	labels := []string{"·The", "·light", ",", "↵", "a", "b", "·cd", "é", "·averyverylongtoken", "x", "y", "z", "日本", "<xe6>", "·", "→"}
	var heads []Head
	for h := range 3 {
		heads = append(heads, Head{Layer: 1, Head: h, Weights: causal(rng, T)})
	}
	var buf bytes.Buffer
	Write(&buf, [][]Head{heads}, labels, width)
	out := buf.String()
	if !strings.HasPrefix(out, "\nLayer 1\n") {
		t.Errorf("no heading for layer 1:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if w := uniseg.StringWidth(line); w > width {
			t.Errorf("%d columns, more than %d: %q", w, width, line)
		}
	}
	legend := parseLegend(t, Legend())
	maps := parseWrite(t, out, T)
	if got := len(maps); got != 3 {
		t.Fatalf("read back %d maps, want 3:\n%s", got, out)
	}
	for k, pm := range maps {
		if pm.head != k {
			t.Errorf("map %d is titled head %d", k, pm.head)
		}
		a := heads[k].Weights
		for i := range T {
			if want := cut(labels[i], maxLabel); pm.labels[i] != want {
				t.Errorf("head %d row %d is labelled %q, want %q", k, i, pm.labels[i], want)
			}
			for j := range T {
				w, c := a.At(i, j), pm.cells[i][j]
				k := slices.IndexFunc(legend, func(r legendRange) bool { return r.block == c })
				if k < 0 || w < legend[k].lo || w >= legend[k].hi {
					t.Errorf("head %d query %d key %d: weight %.3f drawn as %q; the legend says %s", pm.head, i, j, w, c, Legend())
				}
			}
		}
		if !strings.Contains(out, "\n  head "+strconv.Itoa(k)+": ") {
			t.Errorf("no sentence for head %d", k)
		}
	}
	if n := strings.Count(out, "│"); n == 0 {
		t.Errorf("no two maps side by side in %d columns:\n%s", width, out)
	}
	if got, want := len(regexp.MustCompile(`(?m)^ +head \d+( +head \d+)*$`).FindAllString(out, -1)), 2; got != want {
		t.Errorf("%d bands for 3 maps of 16 tokens in %d columns, want %d (two maps fit):\n%s", got, width, want, out)
	}
}

func TestShade(t *testing.T) {
	for _, tc := range []struct {
		a    float64
		want string
	}{{0, " "}, {0.1, "░"}, {0.3, "▒"}, {0.5, "▓"}, {1, "█"}} {
		if got := Shade(tc.a); got != tc.want {
			t.Errorf("Shade(%v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}

// TestDescribe checks the words for three textbook heads.
func TestDescribe(t *testing.T) {
	const T = 5
	self, prev, first := mat.NewDense(T, T, nil), mat.NewDense(T, T, nil), mat.NewDense(T, T, nil)
	for i := range T {
		self.Set(i, i, 1)
		prev.Set(i, max(0, i-1), 1)
		first.Set(i, 0, 1)
	}
	for _, tc := range []struct {
		a    *mat.Dense
		want string
	}{
		{self, "mostly looks at the token itself"}, {self, "strongest on itself in 4 of 4 rows"},
		{prev, "mostly looks at the previous token"}, {prev, "strongest on the previous token in 4 of 4 rows"},
		{first, "mostly looks at the first token"},
	} {
		if got := Describe(tc.a); !strings.Contains(got, tc.want) {
			t.Errorf("Describe = %q, want it to say %q", got, tc.want)
		}
	}
	uniform := mat.NewDense(T, T, nil)
	for i := range T {
		for j := 0; j <= i; j++ {
			uniform.Set(i, j, 1/float64(i+1))
		}
	}
	if got := Describe(uniform); !strings.Contains(got, "spreads") {
		t.Errorf("uniform head: %q, want it to say it spreads", got)
	}
}

// fill is a rectangle drawGrid filled, and its colour.
type fill struct {
	col  color.Color
	r    vg.Rectangle
	x, y vg.Length // its centre
}

// drawing is what drawGrid drew, from a recording.
type drawing struct {
	w, h   vg.Length             // its size
	texts  map[string][]vg.Point // string -> where each was drawn
	fills  []fill
	images []*recorder.DrawImage
}

func recordGrid(t *testing.T, layers [][]Head, labels []string) drawing {
	t.Helper()
	w, h, err := gridSize(layers, labels)
	if err != nil {
		t.Fatal(err)
	}
	rec := new(recorder.Canvas)
	if err := drawGrid(draw.NewCanvas(rec, w, h), layers, labels); err != nil {
		t.Fatal(err)
	}
	d := drawing{w: w, h: h, texts: map[string][]vg.Point{}}
	current := color.Color(color.Black)
	for _, a := range rec.Actions {
		switch a := a.(type) {
		case *recorder.SetColor:
			current = a.Color
		case *recorder.FillString:
			d.texts[a.String] = append(d.texts[a.String], a.Point)
		case *recorder.Fill:
			inf := vg.Length(math.Inf(1))
			r := vg.Rectangle{Min: vg.Point{X: inf, Y: inf}, Max: vg.Point{X: -inf, Y: -inf}}
			for _, c := range a.Path {
				if c.Type == vg.MoveComp || c.Type == vg.LineComp {
					r.Min.X, r.Min.Y = min(r.Min.X, c.Pos.X), min(r.Min.Y, c.Pos.Y)
					r.Max.X, r.Max.Y = max(r.Max.X, c.Pos.X), max(r.Max.Y, c.Pos.Y)
				}
			}
			d.fills = append(d.fills, fill{current, r, (r.Min.X + r.Max.X) / 2, (r.Min.Y + r.Max.Y) / 2})
		case *recorder.DrawImage:
			d.images = append(d.images, a)
		}
	}
	return d
}

func sameColour(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// cells reads a heat map back from rectangles: columns left to right are
// keys 0.., rows top to bottom queries 0... ok is false unless they form a
// T x T grid.
func cells(fs []fill, T int) (colours [][]color.Color, ok bool) {
	var xs, ys []vg.Length
	for _, f := range fs {
		xs, ys = append(xs, f.x), append(ys, f.y)
	}
	slices.Sort(xs)
	slices.Sort(ys)
	xs, ys = slices.Compact(xs), slices.Compact(ys)
	slices.Reverse(ys)
	if len(xs) != T || len(ys) != T || len(fs) != T*T {
		return nil, false
	}
	colours = make([][]color.Color, T)
	for i := range colours {
		colours[i] = make([]color.Color, T)
	}
	for _, f := range fs {
		colours[slices.Index(ys, f.y)][slices.Index(xs, f.x)] = f.col
	}
	return colours, true
}

// TestPNGGrid checks, on a recording of the drawing: a title, "key" and
// "query" for each map; the colour scale named and labelled 0 at its
// bottom and 1 at its top; in each map's tile, query i in row i from the
// top and key j in column j, in the colour the scale has at its weight.
func TestPNGGrid(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const T, L, H = 6, 2, 3
	labels := []string{"a", "b", "c", "d", "e", "f"}
	layers := make([][]Head, L)
	for l := range layers {
		for h := range H {
			layers[l] = append(layers[l], Head{Layer: l, Head: h, Weights: causal(rng, T)})
		}
	}
	d := recordGrid(t, layers, labels)
	for l := range L {
		for h := range H {
			if title := "layer " + strconv.Itoa(l) + ", head " + strconv.Itoa(h); len(d.texts[title]) != 1 {
				t.Errorf("%q drawn %d times, want once", title, len(d.texts[title]))
			}
		}
	}
	for _, axis := range []string{"key", "query"} {
		if n := len(d.texts[axis]); n != L*H {
			t.Errorf("axis name %q drawn %d times, want once per map (%d)", axis, n, L*H)
		}
	}
	if len(d.texts["attention weight"]) != 1 {
		t.Errorf("the colour scale has no name: %v", d.texts)
	}

	// The scale: one picture right of the maps, a column of colours.
	side := d.h / L
	tiles := make([][]fill, L*H)
	for _, f := range d.fills {
		if f.r.Max.X <= side*H && f.r.Max.X-f.r.Min.X < side/3 { // a map's cell, not a tile's background
			c, r := int(f.x/side), int((d.h-f.y)/side)
			tiles[r*H+c] = append(tiles[r*H+c], f)
		}
	}
	if len(d.images) != 1 || d.images[0].Rectangle.Min.X < side*H {
		t.Fatalf("%d pictures drawn; want one, the colour scale, right of the maps", len(d.images))
	}
	bar := d.images[0]
	n := bar.Image.Bounds().Dy()
	if bar.Image.Bounds().Dx() != 1 || n < 100 {
		t.Fatalf("the colour scale is a %dx%d picture, want a column of many colours", bar.Image.Bounds().Dx(), n)
	}
	zero, one := d.texts["0"], d.texts["1"]
	if len(zero) != 1 || len(one) != 1 {
		t.Fatalf("the scale's ends are labelled %d and %d times, want 0 and 1 once each", len(zero), len(one))
	}
	// The picture's first and last rows are centred on 0 and 1, half a row
	// inside its edges; a label's point is its baseline, a few points below.
	if r := bar.Rectangle; math.Abs(float64(zero[0].Y-r.Min.Y)) > 6 || math.Abs(float64(one[0].Y-r.Max.Y)) > 6 {
		t.Errorf("the scale runs from y %.0f to %.0f, but its labels 0 and 1 are at y %.0f and %.0f", r.Min.Y, r.Max.Y, zero[0].Y, one[0].Y)
	}
	// atScale is the scale's colour at weight w: the picture's top row is 1.
	atScale := func(w float64) color.Color {
		return bar.Image.At(0, n-1-int(math.Round(w*float64(n-1))))
	}
	if !sameColour(atScale(0), color.White) {
		t.Errorf("weight 0 is %v on the scale, want white (the empty upper right of a map)", atScale(0))
	}
	for k, fs := range tiles {
		a := layers[k/H][k%H].Weights
		colours, ok := cells(fs, T)
		if !ok {
			t.Fatalf("tile %d: %d rectangles, not a %dx%d map", k, len(fs), T, T)
		}
		for i := range T {
			for j := range T {
				// The scale is finer than the palette: its colour at w is
				// the map's unless w lies at the edge of two shades.
				w, got := a.At(i, j), colours[i][j]
				if !sameColour(got, atScale(w)) && !sameColour(got, atScale(w-0.004)) && !sameColour(got, atScale(w+0.004)) {
					t.Errorf("map %d: query %d, key %d has weight %.3f and colour %v; the scale has %v there", k, i, j, w, got, atScale(w))
				}
			}
		}
	}
}

// TestWritePNG writes the PNG of one head and decodes it: one tile and the
// scale's strip, at 96 dots per inch.
func TestWritePNG(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	labels := []string{"·the", "·Rays", "·of", "·Light"}
	head := [][]Head{{{Layer: 1, Head: 2, Weights: causal(rng, 4)}}}
	path := filepath.Join(t.TempDir(), "one.png")
	if err := WritePNG(path, head, labels); err != nil {
		t.Fatal(err)
	}
	img, err := pngfile.Read(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	w, h, _ := gridSize(head, labels)
	px := func(l vg.Length) int { return int(math.Round(l.Dots(96))) }
	if b := img.Bounds(); b.Dx() != px(w) || b.Dy() != px(h) || b.Dx() <= b.Dy() {
		t.Errorf("one head's PNG is %dx%d pixels, want %dx%d: a square tile and the scale beside it", b.Dx(), b.Dy(), px(w), px(h))
	}
	if err := WritePNG(filepath.Join(t.TempDir(), "none.png"), nil, labels); err == nil {
		t.Error("no maps: no error")
	}
}
