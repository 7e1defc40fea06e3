package train

import (
	"bytes"
	"context"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/tick-llm/tick/internal/pngfile"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// directCentredMean is the definition, summed afresh for every point.
func directCentredMean(ys []float64, k int) []float64 {
	out := make([]float64, len(ys))
	for i := range ys {
		h := min(k, i, len(ys)-1-i)
		s := 0.0
		for j := i - h; j <= i+h; j++ {
			s += ys[j]
		}
		out[i] = s / float64(2*h+1)
	}
	return out
}

// TestCentredMean checks the running-sum mean against the direct sum, and
// that it follows a straight line exactly, ends included (a trailing mean
// or an exponential moving average lags a falling line and draws it high).
func TestCentredMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ys := make([]float64, 500)
	for i := range ys {
		ys[i] = 4 - 3*float64(i)/500 + rng.NormFloat64()*0.3
	}
	for _, k := range []int{0, 1, 3, 10, 249, 250, 1000} {
		got, want := centredMean(ys, k), directCentredMean(ys, k)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("k=%d: mean at %d is %.15g, the direct sum gives %.15g", k, i, got[i], want[i])
			}
		}
	}
	line := make([]float64, 200)
	for i := range line {
		line[i] = 5 - 0.01*float64(i)
	}
	for i, y := range centredMean(line, 20) {
		if math.Abs(y-line[i]) > 1e-12 {
			t.Fatalf("a straight line smoothed: %g at %d, the line is %g there", y, i, line[i])
		}
	}
}

// drawn is what a plot drew in one colour, from a recording of it.
type drawn struct {
	texts  []string  // every string drawn (in any colour)
	shapes []float64 // for each path in the colour: its larger extent, in points
}

// record draws the plot of metrics onto a recording canvas and returns
// what was drawn in colour col.
func record(t *testing.T, metrics []Metric, col color.Color) drawn {
	t.Helper()
	p, err := lossPlot(curvesOf(metrics))
	if err != nil {
		t.Fatal(err)
	}
	rec := new(recorder.Canvas)
	p.Draw(draw.NewCanvas(rec, 8*vg.Inch, 5*vg.Inch))
	var d drawn
	same := func(a, b color.Color) bool {
		r1, g1, b1, a1 := a.RGBA()
		r2, g2, b2, a2 := b.RGBA()
		return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
	}
	current := color.Color(color.Black)
	for _, a := range rec.Actions {
		var path vg.Path
		switch a := a.(type) {
		case *recorder.SetColor:
			current = a.Color
		case *recorder.FillString:
			d.texts = append(d.texts, a.String)
		case *recorder.Stroke:
			path = a.Path
		case *recorder.Fill:
			path = a.Path
		}
		if path == nil || !same(current, col) {
			continue
		}
		inf := vg.Length(math.Inf(1))
		lo, hi := vg.Point{X: inf, Y: inf}, vg.Point{X: -inf, Y: -inf}
		for _, c := range path {
			if c.Type == vg.CloseComp {
				continue // it has no position
			}
			r := c.Radius // an arc's extent around its centre Pos
			lo.X, lo.Y = min(lo.X, c.Pos.X-r), min(lo.Y, c.Pos.Y-r)
			hi.X, hi.Y = max(hi.X, c.Pos.X+r), max(hi.Y, c.Pos.Y+r)
		}
		d.shapes = append(d.shapes, float64(max(hi.X-lo.X, hi.Y-lo.Y)))
	}
	return d
}

// run2000 is the metrics of a 2000-step run evaluated every 500 steps,
// whose training loss falls fast early: the case where a line from the
// step-0 evaluation to the step-500 one lies far above every step between.
func run2000() []Metric {
	rng := rand.New(rand.NewPCG(3, 4))
	loss := func(s int) float64 { return 2 + 2.5*math.Exp(-float64(s)/60) }
	var ms []Metric
	for s := 0; s <= 2000; s++ {
		if s > 0 {
			ms = append(ms, Metric{Kind: "step", Step: s, Loss: loss(s) + 0.2*rng.NormFloat64()})
		}
		if s%500 == 0 {
			ms = append(ms, Metric{Kind: "eval", Step: s, TrainLoss: loss(s), ValLoss: loss(s) + 0.1})
		}
	}
	return ms
}

// TestLossPlot checks, on a recording of what the plot draws: the legend
// names each curve, the smoothing window it states is the one the drawn
// mean uses, and evaluations are points (nothing drawn in their colours is
// wider than a marker), one per evaluation plus the legend's.
func TestLossPlot(t *testing.T) {
	ms := run2000()
	d := record(t, ms, valColour)
	for _, want := range []string{"train, each step (faint)", "train windows, at evaluations", "validation, at evaluations"} {
		if !slices.Contains(d.texts, want) {
			t.Errorf("the plot has no legend entry %q; it drew %q", want, d.texts)
		}
	}
	window := 0
	for _, s := range d.texts {
		if m := regexp.MustCompile(`^train, centred mean of (\d+) steps$`).FindStringSubmatch(s); m != nil {
			window, _ = strconv.Atoi(m[1])
		}
	}
	if window < 3 || window%2 == 0 {
		t.Fatalf("no legend entry names an odd centred window of steps: %q", d.texts)
	}
	c := curvesOf(ms)
	ys := make([]float64, len(c.steps))
	for i, s := range c.steps {
		ys[i] = s.Y
	}
	want := directCentredMean(ys, window/2)
	if len(c.smooth) != len(want) {
		t.Fatalf("%d smoothed points for %d steps", len(c.smooth), len(want))
	}
	for i, p := range c.smooth {
		if p.X != c.steps[i].X || math.Abs(p.Y-want[i]) > 1e-12 {
			t.Fatalf("smoothed point %d is (%g, %g); the mean of %d steps centred on step %g is %g", i, p.X, p.Y, window, c.steps[i].X, want[i])
		}
	}

	for _, tc := range []struct {
		name string
		col  color.Color
	}{{"validation", valColour}, {"train windows", trainColour}} {
		d := record(t, ms, tc.col)
		evals := 5 // steps 0, 500, ..., 2000
		if len(d.shapes) != evals+1 {
			t.Errorf("%s: %d shapes drawn in its colour, want a marker for each of %d evaluations and one in the legend", tc.name, len(d.shapes), evals)
		}
		for _, w := range d.shapes {
			if w > 8 { // a marker of radius 3 points is 6 across
				t.Errorf("%s: something %.0f points long is drawn in its colour: evaluations 500 steps apart must be points, not joined by lines", tc.name, w)
			}
		}
	}
}

// TestLossPlotShortRun: below 50 steps no mean is drawn, and the steps are
// drawn in the strong colour, named without "(faint)".
func TestLossPlotShortRun(t *testing.T) {
	var ms []Metric
	for s := 1; s <= 20; s++ {
		ms = append(ms, Metric{Kind: "step", Step: s, Loss: 3 - 0.05*float64(s)})
	}
	ms = append(ms, Metric{Kind: "eval", Step: 20, TrainLoss: 2, ValLoss: 2.1})
	d := record(t, ms, smoothColour)
	if !slices.Contains(d.texts, "train, each step") {
		t.Errorf("no legend entry for the steps: %q", d.texts)
	}
	for _, s := range d.texts {
		if regexp.MustCompile(`mean|faint`).MatchString(s) {
			t.Errorf("20 steps need no smoothing, but the plot says %q", s)
		}
	}
	if len(d.shapes) != 2 { // the line and its legend sample
		t.Errorf("%d paths in the line colour, want the steps' line and its legend sample", len(d.shapes))
	}
}

// TestLossPNG writes loss.png and decodes it: 8 x 5 inches at 96 dpi.
func TestLossPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "loss.png")
	if err := writeLossPlot(path, run2000()); err != nil {
		t.Fatal(err)
	}
	img, err := pngfile.Read(path)
	if err != nil {
		t.Fatalf("loss.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 768 || b.Dy() != 480 {
		t.Errorf("loss.png is %dx%d pixels, want 768x480 (8 x 5 inches at 96 dpi)", b.Dx(), b.Dy())
	}
}

// TestEvaluationLeavesTrainingAlone: evaluating (and sampling, and saving)
// after every step trains the same model, to the bit, as evaluating only
// at the end, dropout on, so a denser loss plot (a smaller --eval-every)
// never changes what is trained: evaluation uses fixed windows and its
// own sampling seed, never the batch or dropout streams.
func TestEvaluationLeavesTrainingAlone(t *testing.T) {
	var runs []*Result
	var models, moments []map[string][]float64
	for _, every := range []int{1, 12} {
		o := tinyOptions(t)
		o.Out = filepath.Join(t.TempDir(), "run")
		o.Steps, o.EvalEvery, o.Dropout = 12, every, 0.1
		r, err := Run(context.Background(), o, new(bytes.Buffer))
		if err != nil {
			t.Fatal(err)
		}
		ck := lastCheckpoint(t, o.Out)
		runs, models, moments = append(runs, r), append(models, paramsOf(ck.Model)), append(moments, momentsOf(ck))
	}
	sameBits(t, "parameters, evaluating every step vs once", models[0], models[1])
	sameBits(t, "optimiser moments, evaluating every step vs once", moments[0], moments[1])
	if math.Float64bits(runs[0].ValLoss) != math.Float64bits(runs[1].ValLoss) {
		t.Errorf("final validation loss %v evaluating every step, %v evaluating once", runs[0].ValLoss, runs[1].ValLoss)
	}
}
