package train

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestFloat32CurveFollowsFloat64: 200 steps computing in float32 follow the
// float64 run's training curve: every step's loss and every evaluation
// within 1e-3 (a float32 step differs from a float64 one by rounding, and
// training must not amplify that into another run).
func TestFloat32CurveFollowsFloat64(t *testing.T) {
	var curves [2][]Metric
	for i, p := range []string{"float64", "float32"} {
		o := tinyOptions(t)
		o.Steps, o.EvalEvery, o.SampleTokens, o.Precision = 200, 50, 0, p
		var out bytes.Buffer
		if _, err := Run(context.Background(), o, &out); err != nil {
			t.Fatalf("%s: %v\n%s", p, err, out.String())
		}
		if !strings.Contains(out.String(), "computing in "+p) {
			t.Errorf("%s: the run does not say what it computes in:\n%s", p, out.String())
		}
		var err error
		if curves[i], err = ReadMetrics(filepath.Join(o.Out, "metrics.jsonl")); err != nil {
			t.Fatal(err)
		}
	}
	if len(curves[0]) != len(curves[1]) || len(curves[0]) < 200 {
		t.Fatalf("metrics: %d lines in float64, %d in float32", len(curves[0]), len(curves[1]))
	}
	same := true
	for j, a := range curves[0] {
		b := curves[1][j]
		for _, v := range [][2]float64{{a.Loss, b.Loss}, {a.TrainLoss, b.TrainLoss}, {a.ValLoss, b.ValLoss}} {
			if math.Abs(v[0]-v[1]) > 1e-3 || math.IsNaN(v[1]) {
				t.Errorf("%s at step %d: float64 %.6f, float32 %.6f", a.Kind, a.Step, v[0], v[1])
			}
			same = same && v[0] == v[1]
		}
	}
	if same {
		t.Error("float32 gave float64's curve bit for bit: it did not compute in float32")
	}
}

// TestPrecisionResumes: the precision is one of the run's settings: a run
// resumes in it, another --precision is refused, and a run saved before
// the option existed (no precision recorded) is a float64 run.
func TestPrecisionResumes(t *testing.T) {
	for _, c := range []struct {
		saved, other, want string
	}{{"float32", "float64", "float32"}, {"float64", "float32", "float64"}, {"", "float32", "float64"}} {
		o := tinyOptions(t)
		o.Steps, o.EvalEvery, o.SampleTokens, o.Precision = 4, 2, 0, c.saved
		if _, err := Run(context.Background(), o, new(bytes.Buffer)); err != nil {
			t.Fatal(err)
		}
		saved, err := SavedOptions(o.Out)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := saved.Compute(); err != nil || p.String() != c.want {
			t.Errorf("saved precision %q: the run resumes in %v (%v), want %s", c.saved, p, err, c.want)
		}
		saved.Steps = 6
		var out bytes.Buffer
		if _, err := Run(context.Background(), saved, &out); err != nil {
			t.Errorf("resume in the saved precision %q: %v", c.saved, err)
		} else if !strings.Contains(out.String(), "computing in "+c.want) {
			t.Errorf("resumed run of precision %q does not compute in %s:\n%s", c.saved, c.want, out.String())
		}
		saved.Precision = c.other
		_, err = Run(context.Background(), saved, new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), "--precision") {
			t.Errorf("resume a %q run with --precision %s: %v, want an error naming --precision", c.saved, c.other, err)
		}
	}
}

// TestPrecisionFlagValue: an unknown precision is an error naming the flag.
func TestPrecisionFlagValue(t *testing.T) {
	o := tinyOptions(t)
	o.Precision = "float16"
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--precision") {
		t.Errorf("Validate with precision float16: %v", err)
	}
}
