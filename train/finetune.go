package train

import (
	"fmt"
	"path/filepath"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/quant"
	"github.com/tick-llm/tick/transformer"
)

// Finetune configures a fine-tune of a trained model instead of training
// one from scratch: the base's model and tokenizer replace the model flags
// and --tokenizer, and with Full unset only LoRA adapters train.
type Finetune struct {
	Base     string   `json:"base"`               // the base run or checkpoint folder (absolute once saved)
	Full     bool     `json:"full,omitempty"`     // train every parameter (no adapters)
	Rank     int      `json:"lora-rank"`          // r
	Alpha    float64  `json:"lora-alpha"`         // α
	Dropout  float64  `json:"lora-dropout"`       // dropout on the adapter input
	Targets  []string `json:"lora-targets"`       // module names or short names (q,v,...)
	Quantize string   `json:"quantize,omitempty"` // "", nf4 or int8: the frozen base's storage (QLoRA)
	Double   bool     `json:"double-quant,omitempty"`
}

// BaseOptions fills o's model flags from the base the fine-tune names, so
// the options describe the model trained (Validate, memory checks, resume).
func BaseOptions(o Options) (Options, error) {
	if o.Finetune == nil {
		return o, nil
	}
	abs, err := filepath.Abs(o.Finetune.Base)
	if err != nil {
		return o, err
	}
	ft := *o.Finetune
	ft.Base = abs
	o.Finetune = &ft
	ck, err := checkpoint.LoadRun(abs)
	if err != nil {
		return o, fmt.Errorf("--model: %w", err)
	}
	c := ck.Model.Config
	o.Preset = "llama"
	if c.Norm == "layernorm" {
		o.Preset = "gpt"
	}
	o.Layers, o.Heads, o.KVHeads, o.Dim, o.FFDim = c.Layers, c.Heads, c.KVHeads, c.Dim, c.FFDim
	if o.Context == 0 || o.Context > c.Context {
		o.Context = c.Context
	}
	o.Dropout = c.Dropout
	o.Tokenizer = "base"
	return o, nil
}

// loadBase reads the base model and its tokenizer, quantizes the base
// when asked (QLoRA) and puts the adapters on it.
func (t *trainer) loadBase() error {
	ft := t.o.Finetune
	ck, err := checkpoint.LoadRun(ft.Base)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	t.model, t.tok, t.tokSpec = ck.Model, ck.Tokenizer, ck.TokSpec
	return t.adapt()
}

// adapt quantizes the base and adds the adapters, as ft says.
func (t *trainer) adapt() error {
	ft, m := t.o.Finetune, t.model
	if ft.Quantize != "" {
		kind, err := quant.ParseKind(ft.Quantize)
		if err != nil {
			return fmt.Errorf("--quantize: %w", err)
		}
		if ft.Full {
			return fmt.Errorf("--quantize with full fine-tuning: a quantized base is frozen; fine-tune it with LoRA (drop --full)")
		}
		if _, err := m.QuantizeBase(kind, ft.Double); err != nil {
			return fmt.Errorf("--quantize: %w", err)
		}
	}
	if ft.Full {
		return nil
	}
	targets, err := m.ExpandTargets(ft.Targets)
	if err != nil {
		return fmt.Errorf("--lora-targets: %w", err)
	}
	if _, err := m.AddLoRA(transformer.LoRAConfig{Rank: ft.Rank, Alpha: ft.Alpha, Dropout: ft.Dropout, Targets: targets, Seed: t.o.Seed}); err != nil {
		return fmt.Errorf("--lora: %w", err)
	}
	t.adapter, err = m.AdapterConfigFor(ft.Base, targets)
	t.adapter.BaseQuantizationDble = ft.Double
	return err
}

// describeFinetune prints what trains: the count and share of the model.
func (t *trainer) describeFinetune() {
	ft, m := t.o.Finetune, t.model
	if ft == nil {
		return
	}
	total := m.NumParams()
	n := m.NumTrainable()
	what := "full fine-tuning"
	if !ft.Full {
		what = fmt.Sprintf("LoRA r=%d alpha=%g dropout=%g on %d layers (%v)", ft.Rank, ft.Alpha, ft.Dropout, len(m.LoRAs()), t.adapter.TargetModules.List)
	}
	if k := m.Quantized(); k != "" {
		what += fmt.Sprintf(", base quantized to %s (QLoRA)", k)
	}
	t.println("fine-tuning %s: %s\ntrainable parameters: %d of %d (%.3f%% of the model)", ft.Base, what, n, total, 100*float64(n)/float64(total))
}
