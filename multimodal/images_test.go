package multimodal

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestRenderTruth checks the images against their scenes pixel by pixel:
// every lit pixel lies in the cell of an object and has that object's
// colour, every object lights the pixels around its centre, and nothing
// else is lit.
func TestRenderTruth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		s := RandomScene(rng, 2)
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		img := Render(s)
		byCell := map[int]Object{}
		for _, o := range s.Objects {
			byCell[o.Cell()] = o
		}
		for y := range Side {
			for x := range Side {
				p := img.Pix[(y*Side+x)*3:][:3]
				lit := p[0]+p[1]+p[2] > 0
				o, ok := byCell[(y/cellSide)*Grid+x/cellSide]
				if lit && (!ok || [3]float64(p) != palette[o.Colour]) {
					t.Fatalf("%s: pixel (%d,%d) = %v lies in no object of that colour", Caption(s), x, y, p)
				}
			}
		}
		for _, o := range s.Objects {
			// The centre pixel and its four neighbours belong to every shape.
			cx, cy := o.Col*cellSide+3+o.DX, o.Row*cellSide+3+o.DY
			for _, d := range [][2]int{{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				if p := img.Pix[((cy+d[1])*Side+cx+d[0])*3:][:3]; [3]float64(p) != palette[o.Colour] {
					t.Fatalf("%s: pixel next to the centre of the %s is %v", Caption(s), Shapes[o.Shape], p)
				}
			}
		}
	}
}

// TestShapesDiffer: the eight (shape, size) pairs draw eight different
// pixel masks, so every caption word the images carry can be seen.
// Rendering is the same up to translation for every cell and offset, so
// one cell's masks stand for all.
func TestShapesDiffer(t *testing.T) {
	seen := map[string]string{}
	for sh := range Shapes {
		for sz := range SizeNames {
			img := Render(Scene{Objects: []Object{{Shape: sh, Size: sz, Row: 1, Col: 1}}})
			var mask strings.Builder
			lit := 0
			for i := 0; i < len(img.Pix); i += 3 {
				if img.Pix[i] > 0 {
					mask.WriteByte('#')
					lit++
				} else {
					mask.WriteByte('.')
				}
			}
			name := SizeNames[sz] + " " + Shapes[sh]
			if other, dup := seen[mask.String()]; dup {
				t.Errorf("a %s and a %s draw the same pixels", name, other)
			}
			seen[mask.String()] = name
			if lit < 6 {
				t.Errorf("a %s lights only %d pixels", name, lit)
			}
		}
	}
}

// TestHeldOutNeverTrained: the images a trainer draws are never held-out
// images, compared by content (their pixels), and the filter has work to
// do: with one object there are only 4,320 images, so some draws hit the
// held-out set and are drawn again.
func TestHeldOutNeverTrained(t *testing.T) {
	task := Task{MaxObjects: 1, Questions: true}
	scenes, keys, err := HeldOut(task, 300, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(scenes) != 300 || len(keys) != 300 {
		t.Fatalf("%d scenes, %d distinct images; want 300 of each", len(scenes), len(keys))
	}
	held := map[[len(Image{}.Pix)]float64]bool{}
	for _, s := range scenes {
		if !keys[Render(s).Key()] {
			t.Fatalf("held-out scene %s missing from its set", Caption(s))
		}
		held[Render(s).Pix] = true
	}
	m, err := New(task, Sizes{Layers: 1, Heads: 1, Dim: 8}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, keys, 1, 1, 1e-3, 7)
	if err != nil {
		t.Fatal(err)
	}
	for range 4000 {
		// compared pixel for pixel, not through Key
		if ex := tr.Draw(); held[ex.Image.Pix] {
			t.Fatalf("trained on held-out image %s", Caption(ex.Scene))
		}
	}
	if tr.Skipped == 0 {
		t.Errorf("4000 draws from 4320 images never hit one of 300 held out: the filter is not tested")
	}
	if _, _, err := HeldOut(task, 5000, 1); err == nil || !strings.Contains(err.Error(), "fewer") {
		t.Errorf("5000 distinct images of one object (there are 4320): error %v", err)
	}
}

// TestKeyIsContent: different scenes draw different images (so Key
// separates them), the same scene the same one.
func TestKeyIsContent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	keys := map[string]Scene{}
	for range 3000 {
		s := RandomScene(rng, 2)
		k := Render(s).Key()
		if prev, ok := keys[k]; ok && !slices.Equal(prev.Objects, s.Objects) {
			t.Fatalf("scenes %+v and %+v draw the same image", prev, s)
		}
		keys[k] = s
		if Render(s).Key() != k {
			t.Fatalf("scene %+v drew two different images", s)
		}
	}
}

// TestCaptionRoundTrip: every caption uses only vocabulary words, and
// reading it back gives the scene's objects.
func TestCaptionRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		s := RandomScene(rng, 2)
		c := Caption(s)
		ids, err := Tokens(c)
		if err != nil {
			t.Fatal(err)
		}
		if Words(ids) != c {
			t.Fatalf("%q comes back from its tokens as %q", c, Words(ids))
		}
		objs, err := ParseCaption(c)
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.Objects {
			s.Objects[i].DX, s.Objects[i].DY = 0, 0
		}
		if !slices.Equal(objs, s.Objects) {
			t.Fatalf("%q parses as %+v, want %+v", c, objs, s.Objects)
		}
	}
	for _, bad := range []string{"", "a small red circle", "a huge red circle at the top left", "a small red circle at the top left and"} {
		if _, err := ParseCaption(bad); err == nil {
			t.Errorf("ParseCaption(%q) accepted it", bad)
		}
	}
}

// TestQuestions checks each question's answer against the scene: the
// object a question names is the only one it fits, and the answer is its
// attribute.
func TestQuestions(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	asked := map[Kind]int{}
	for range 2000 {
		s := RandomScene(rng, 2)
		for k := KindColour; k < numKinds; k++ {
			p, a, ok := Question(s, k, rng)
			if !ok {
				continue
			}
			asked[k]++
			if _, err := Tokens(p + " " + a); err != nil {
				t.Fatal(err)
			}
			var fits []Object
			for _, o := range s.Objects {
				switch k {
				case KindColour:
					if p == "what colour is the "+Shapes[o.Shape]+" ?" {
						fits = append(fits, o)
					}
				case KindShape:
					if p == "what shape is at the "+Rows[o.Row]+" "+Columns[o.Col]+" ?" {
						fits = append(fits, o)
					}
				case KindWhere:
					if p == "where is the "+Colours[o.Colour]+" "+Shapes[o.Shape]+" ?" {
						fits = append(fits, o)
					}
				}
			}
			if len(fits) != 1 {
				t.Fatalf("%q fits %d objects of %q", p, len(fits), Caption(s))
			}
			o := fits[0]
			want := map[Kind]string{KindColour: Colours[o.Colour], KindShape: Shapes[o.Shape], KindWhere: Rows[o.Row] + " " + Columns[o.Col]}[k]
			if a != want {
				t.Fatalf("%q about %q: answer %q, want %q", p, Caption(s), a, want)
			}
		}
	}
	for k := KindColour; k < numKinds; k++ {
		if asked[k] < 1000 {
			t.Errorf("%s asked only %d times in 2000 scenes", KindNames[k], asked[k])
		}
	}
}

// FuzzParseCaption: any text either fails with an error or parses into
// objects whose caption is the text (with its spacing normalised).
func FuzzParseCaption(f *testing.F) {
	f.Add("a small red circle at the top left")
	f.Add("a large cyan cross at the bottom right and a small blue square at the middle centre")
	f.Add("a a a")
	f.Add(" and ")
	f.Fuzz(func(t *testing.T, text string) {
		objs, err := ParseCaption(text)
		if err != nil {
			return
		}
		if got := Caption(Scene{Objects: objs}); got != strings.Join(strings.Fields(text), " ") {
			t.Fatalf("%q parsed to objects captioned %q", text, got)
		}
	})
}
