package checkpoint

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tick-llm/tick/quant"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// A LoRA fine-tune's checkpoint holds the adapter in PEFT's layout
// (adapter_config.json naming the base, adapter_model.safetensors in F32),
// the tokenizer, state.json and optimizer.safetensors, which also keeps the
// exact float64 A and B ("w." + name) so that a resumed fine-tune equals an
// uninterrupted one. The base is read from base_model_name_or_path.

// LoadBase loads the base model an adapter names. It is the one place a
// loader of other folders (a Hugging Face model folder) plugs in: today a
// tick run or checkpoint folder, through LoadModel. Nil means LoadModel.
var LoadBase func(dir string) (*transformer.Model, tokenizer.Tokenizer, error)

func loadBase(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	if LoadBase != nil {
		return LoadBase(dir)
	}
	return LoadModel(dir)
}

// IsAdapter reports whether dir holds a PEFT adapter.
func IsAdapter(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, transformer.AdapterConfigFile))
	return err == nil && st.Mode().IsRegular()
}

// BasePath is the base folder of the adapter in dir: its
// base_model_name_or_path, relative paths taken from dir.
func BasePath(dir string, c *transformer.AdapterConfig) string {
	if filepath.IsAbs(c.BaseModelNameOrPath) {
		return c.BaseModelNameOrPath
	}
	return filepath.Join(dir, c.BaseModelNameOrPath)
}

// loadAdapted loads the base an adapter folder names (and its tokenizer),
// quantizes it as the fine-tune did (QLoRA), and puts the adapter on it.
func loadAdapted(dir string) (*transformer.Model, *transformer.AdapterConfig, tokenizer.Tokenizer, error) {
	c, err := transformer.ReadAdapterConfig(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	base := BasePath(dir, c)
	m, tok, err := loadBase(base)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("the base model %s that %s names: %w", base, transformer.AdapterConfigFile, err)
	}
	if c.BaseQuantization != "" {
		kind, err := quant.ParseKind(c.BaseQuantization)
		if err != nil {
			return nil, nil, nil, err
		}
		if _, err := m.QuantizeBase(kind, c.BaseQuantizationDble); err != nil {
			return nil, nil, nil, err
		}
	}
	if _, err := m.LoadAdapter(dir); err != nil {
		return nil, nil, nil, err
	}
	return m, c, tok, nil
}

// LoadAdapter loads the model an adapter folder stands for: its base with the
// adapter on it, and the base's tokenizer. A PEFT adapter trained
// elsewhere loads too, when its base_model_name_or_path is a folder tick
// reads.
func LoadAdapter(dir string) (*transformer.Model, tokenizer.Tokenizer, *transformer.AdapterConfig, error) {
	m, c, tok, err := loadAdapted(dir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("adapter %s: %w", dir, err)
	}
	return m, tok, c, nil
}

// exactAdapter lists the adapter's A and B in float64 under "w." names.
func exactAdapter(m *transformer.Model) []safetensors.Tensor {
	var ts []safetensors.Tensor
	for _, ad := range m.LoRAs() {
		for _, p := range []*transformer.Param{ad.A, ad.B} {
			ts = append(ts, safetensors.Tensor{Name: "w." + p.Name, Shape: p.Shape(), Data: p.Value.RawMatrix().Data})
		}
	}
	return ts
}

// restoreExact puts back the float64 A and B exactAdapter saved.
func restoreExact(m *transformer.Model, saved map[string][]float64) error {
	for _, ad := range m.LoRAs() {
		for _, p := range []*transformer.Param{ad.A, ad.B} {
			d := saved["w."+p.Name]
			if len(d) != p.Size() {
				return fmt.Errorf("the exact copy of %s is missing or of the wrong size", p.Name)
			}
			copy(p.Value.RawMatrix().Data, d)
		}
	}
	return nil
}

// Merge loads the adapter in dir (a fine-tune run folder or an adapter
// checkpoint), folds it into its base (transformer.Model.MergeLoRA) and
// saves the merged model as a checkpoint in the new folder out, without
// optimiser state. It is the merge `tick export --merge` calls.
func Merge(dir, out string) error {
	ck, err := LoadRun(dir)
	if err != nil {
		return err
	}
	if ck.Adapter == nil {
		return fmt.Errorf("%s holds no LoRA adapter: nothing to merge", dir)
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s already exists; merge into a new folder", out)
	}
	ck.Model.MergeLoRA()
	merged := &Checkpoint{State: State{Step: ck.State.Step, Options: ck.State.Options, Data: ck.State.Data},
		Model: ck.Model, TokSpec: ck.TokSpec}
	for _, p := range ck.Model.Trainable() {
		merged.M = append(merged.M, make([]float64, p.Size()))
		merged.V = append(merged.V, make([]float64, p.Size()))
	}
	return Save(out, merged)
}
