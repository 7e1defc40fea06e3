package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/demos/internal/demotest"
	"github.com/tick-llm/tick/eval"
	"github.com/tick-llm/tick/internal/pngfile"
)

// TestRun trains both presets at a tiny size and checks: the parameter
// counts printed are those of models actually built from the two
// configurations (counted tensor by tensor), both runs reached the step
// budget, the final losses printed are those eval.Evaluate measures on the
// saved runs, and the plot is a PNG.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	cfg := defaultConfig()
	o := demotest.Options(t, dir, 1, 4, 20)
	o.EvalEvery = 10
	cfg.Train, cfg.Out = o, filepath.Join(dir, "out")

	var buf bytes.Buffer
	if err := run(context.Background(), &buf, cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, p := range presets {
		m, _, err := checkpoint.LoadModel(filepath.Join(cfg.Out, p))
		if err != nil {
			t.Fatalf("%s run: %v", p, err)
		}
		n := 0
		for _, prm := range m.Params() {
			r, c := prm.Value.Dims()
			n += r * c
		}
		row := fmt.Sprintf("%-8s %10d %7d ", p, n, o.Steps)
		if !strings.Contains(out, row) {
			t.Errorf("results table lacks %q (parameters counted from the saved model's tensors)\n%s", row, out)
		}
		// The final model is the last checkpoint; its loss on the whole
		// validation split, measured again, is the table's val loss.
		e, err := eval.Evaluate(eval.Options{Model: filepath.Join(cfg.Out, p, checkpoint.Last)})
		if err != nil {
			t.Fatal(err)
		}
		var tps, trainLoss, valLoss, bpb float64
		line := out[strings.Index(out, row)+len(row):]
		if _, err := fmt.Sscanf(line, "%f %f %f %f", &tps, &trainLoss, &valLoss, &bpb); err != nil {
			t.Fatalf("%s row: %v", p, err)
		}
		if math.Abs(valLoss-e.Loss()) > 5e-5 || math.Abs(bpb-e.BitsPerByte()) > 5e-5 || !(trainLoss > 0) || !(tps > 0) {
			t.Errorf("%s: table says val loss %.4f, %.4f bits/byte (train %.4f, %.0f tok/s); evaluating the run gives %.4f, %.4f",
				p, valLoss, bpb, trainLoss, tps, e.Loss(), e.BitsPerByte())
		}
	}
	if _, err := pngfile.Read(filepath.Join(cfg.Out, "loss.png")); err != nil {
		t.Errorf("loss.png: %v", err)
	}
	// The differences table names each family's switches.
	for _, s := range []string{"layernorm", "rmsnorm", "learned", "rope", "gelu", "swiglu"} {
		if !strings.Contains(out, s) {
			t.Errorf("differences table lacks %q", s)
		}
	}
}
