package train

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/transformer"
)

func trainableOf(m *transformer.Model) map[string][]float64 {
	ps := map[string][]float64{}
	for _, p := range m.Trainable() {
		ps[p.Name] = append([]float64(nil), p.Value.RawMatrix().Data...)
	}
	return ps
}

// TestFinetuneResumeIsExact: a LoRA fine-tune (with adapter dropout) and a
// QLoRA one, interrupted and resumed, end with the same adapter and moments
// to the bit as uninterrupted ones; the checkpoints hold only the adapter
// and the base stays untouched.
func TestFinetuneResumeIsExact(t *testing.T) {
	base := tinyOptions(t)
	base.Steps, base.EvalEvery, base.SampleTokens = 6, 6, 0
	if _, err := Run(context.Background(), base, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	for _, quantize := range []string{"", "nf4"} {
		t.Run("quantize="+quantize, func(t *testing.T) {
			o := tinyOptions(t)
			o.Steps, o.EvalEvery, o.SampleTokens = 8, 4, 0
			o.Finetune = &Finetune{Base: base.Out, Rank: 2, Alpha: 4, Dropout: 0.1, Targets: []string{"c_attn", "c_fc"}, Quantize: quantize}
			o.Precision = "float64" // LoRA computes in float64 only (TestFinetuneLoRAFloat32 says so)
			var out bytes.Buffer
			if _, err := Run(context.Background(), o, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "trainable parameters: ") {
				t.Errorf("the fine-tune did not print its trainable parameters:\n%s", out.String())
			}
			split := o
			split.Out = filepath.Join(t.TempDir(), "split")
			ctx, cancel := context.WithCancel(context.Background())
			split.afterStep = func(step int) {
				if step == 5 {
					cancel()
				}
			}
			if _, err := Run(ctx, split, new(bytes.Buffer)); !errors.Is(err, ErrInterrupted) {
				t.Fatalf("interrupted fine-tune: %v", err)
			}
			split.afterStep, split.Resume = nil, true
			if _, err := Run(context.Background(), split, new(bytes.Buffer)); err != nil {
				t.Fatal(err)
			}
			a, b := lastCheckpoint(t, o.Out), lastCheckpoint(t, split.Out)
			if a.Adapter == nil || len(a.Model.LoRAs()) != 2 {
				t.Fatalf("the fine-tune's checkpoint is not an adapter of 2 layers")
			}
			sameBits(t, "adapters", trainableOf(a.Model), trainableOf(b.Model))
			sameBits(t, "optimiser moments", momentsOf(a), momentsOf(b))
			if string(a.Model.Quantized()) != quantize {
				t.Errorf("the resumed base is quantized %q, want %q", a.Model.Quantized(), quantize)
			}
			baseCk := lastCheckpoint(t, base.Out)
			for _, p := range baseCk.Model.Params() {
				q := a.Model.Param(p.Name)
				if quantize == "" && !sameFloats(p.Value.RawMatrix().Data, q.Value.RawMatrix().Data) {
					t.Errorf("%s: the frozen base moved during the fine-tune", p.Name)
				}
			}
		})
	}
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFinetuneLoRAFloat32: a LoRA fine-tune asked to compute in float32 is
// refused before anything runs, naming the flag and the way out.
func TestFinetuneLoRAFloat32(t *testing.T) {
	o := tinyOptions(t)
	o.Precision = "float32"
	o.Finetune = &Finetune{Base: "nowhere", Rank: 2, Alpha: 4, Targets: []string{"c_attn"}}
	err := o.Validate()
	if err == nil || !strings.Contains(err.Error(), "--precision float64") {
		t.Errorf("Validate: %v, want an error saying --precision float64", err)
	}
	o.Finetune.Full = true
	if err := o.Validate(); err != nil && strings.Contains(err.Error(), "precision") {
		t.Errorf("a full fine-tune in float32: %v", err)
	}
}
