package transformer

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// Files of an adapter folder, as PEFT's save_pretrained writes them.
const (
	AdapterConfigFile  = "adapter_config.json"
	AdapterWeightsFile = "adapter_model.safetensors"
)

// AdapterConfig is PEFT's adapter_config.json for a LoRA adapter (the keys
// tick reads and writes; others PEFT writes are kept out).
type AdapterConfig struct {
	PeftType             string   `json:"peft_type"`
	TaskType             string   `json:"task_type"`
	BaseModelNameOrPath  string   `json:"base_model_name_or_path"`
	R                    int      `json:"r"`
	LoraAlpha            float64  `json:"lora_alpha"`
	LoraDropout          float64  `json:"lora_dropout"`
	TargetModules        targets  `json:"target_modules"`
	FanInFanOut          bool     `json:"fan_in_fan_out"`
	Bias                 string   `json:"bias"`
	InferenceMode        bool     `json:"inference_mode"`
	InitLoraWeights      bool     `json:"init_lora_weights"`
	UseRSLoRA            bool     `json:"use_rslora"`
	UseDoRA              bool     `json:"use_dora"`
	ModulesToSave        []string `json:"modules_to_save"`
	LayersToTransform    any      `json:"layers_to_transform"`
	BaseQuantization     string   `json:"tick_base_quantization,omitempty"` // tick's own: the base was quantized (QLoRA) while training
	BaseQuantizationDble bool     `json:"tick_base_double_quantization,omitempty"`
}

// targets is PEFT's target_modules: a list of module-name suffixes, or one
// string, a regular expression the whole module name must match.
type targets struct {
	List  []string
	Regex string
}

func (t targets) MarshalJSON() ([]byte, error) {
	if t.Regex != "" {
		return json.Marshal(t.Regex)
	}
	return json.Marshal(t.List)
}

func (t *targets) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.Regex)
	}
	return json.Unmarshal(b, &t.List)
}

// ReadAdapterConfig reads and checks dir's adapter_config.json.
func ReadAdapterConfig(dir string) (*AdapterConfig, error) {
	path := filepath.Join(dir, AdapterConfigFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load adapter: %w", err)
	}
	var c AdapterConfig
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("load adapter: %s: %v", path, err)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("load adapter: %s: %s", path, fmt.Sprintf(format, a...))
	}
	switch {
	case c.PeftType != "LORA":
		return nil, bad("peft_type %q: tick loads LORA adapters only", c.PeftType)
	case c.R < 1:
		return nil, bad("r is %d; it must be at least 1", c.R)
	case !(c.LoraAlpha > 0) || math.IsInf(c.LoraAlpha, 0):
		return nil, bad("lora_alpha %g: it must be positive", c.LoraAlpha)
	case c.UseRSLoRA || c.UseDoRA:
		return nil, bad("use_rslora and use_dora are not supported; train a plain LoRA adapter")
	case c.Bias != "" && c.Bias != "none":
		return nil, bad("bias %q: tick loads adapters with bias \"none\" only", c.Bias)
	case len(c.ModulesToSave) > 0:
		return nil, bad("modules_to_save %v: tick loads adapters of LoRA layers only", c.ModulesToSave)
	case c.LayersToTransform != nil:
		return nil, bad("layers_to_transform is set: tick adapts every layer a target names")
	case len(c.TargetModules.List) == 0 && c.TargetModules.Regex == "":
		return nil, bad("target_modules is empty")
	}
	return &c, nil
}

// AdapterConfigFor describes the model's adapters in PEFT's terms; base is
// the folder of the base model (base_model_name_or_path).
func (m *Model) AdapterConfigFor(base string, targetList []string) (*AdapterConfig, error) {
	if len(m.loras) == 0 {
		return nil, fmt.Errorf("save adapter: the model has no LoRA adapters")
	}
	a := m.loras[0]
	c := &AdapterConfig{PeftType: "LORA", TaskType: "CAUSAL_LM", BaseModelNameOrPath: base, R: a.Rank,
		LoraAlpha: a.Alpha, LoraDropout: a.Dropout, TargetModules: targets{List: targetList},
		FanInFanOut: a.FanInFanOut(), Bias: "none", InferenceMode: true, InitLoraWeights: true,
		BaseQuantization: string(m.quantKind)}
	return c, nil
}

// SaveAdapter writes only the adapters into dir, as PEFT does:
// adapter_model.safetensors (lora_A/lora_B of every adapted module, F32,
// PEFT's names) and adapter_config.json (c). Each file is written atomically.
func (m *Model) SaveAdapter(dir string, c *AdapterConfig) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save adapter: %w", err)
	}
	var ts []safetensors.Tensor
	for _, ad := range m.loras {
		for _, p := range []*Param{ad.A, ad.B} {
			ts = append(ts, safetensors.Tensor{Name: p.Name, Shape: p.Shape(), Data: p.Value.RawMatrix().Data})
		}
	}
	path := filepath.Join(dir, AdapterWeightsFile)
	if err := atomicfile.Write(path, func(w io.Writer) error { return encodeF32(w, ts) }); err != nil {
		return fmt.Errorf("save adapter: %w", err)
	}
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("save adapter: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, AdapterConfigFile), append(raw, '\n')); err != nil {
		return fmt.Errorf("save adapter: %w", err)
	}
	return nil
}

// encodeF32 writes a safetensors file with every tensor as F32 (PEFT's
// dtype for adapters), tensors sorted by name and metadata format "pt".
func encodeF32(w io.Writer, ts []safetensors.Tensor) error {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b safetensors.Tensor) int { return strings.Compare(a.Name, b.Name) })
	type entry struct {
		Dtype       string `json:"dtype"`
		Shape       []int  `json:"shape"`
		DataOffsets [2]int `json:"data_offsets"`
	}
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	off := 0
	for _, t := range ts {
		header[t.Name] = entry{"F32", t.Shape, [2]int{off, off + 4*len(t.Data)}}
		off += 4 * len(t.Data)
	}
	h, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, uint64(len(h)))
	buf.Write(h)
	for _, t := range ts {
		for _, v := range t.Data {
			binary.Write(&buf, binary.LittleEndian, math.Float32bits(float32(v)))
		}
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// LoadAdapter reads the PEFT adapter in dir onto the model (its base):
// adapters on the modules target_modules names, with A and B from
// adapter_model.safetensors (any float dtype). An adapter made for another
// base (a module this model lacks, a shape that differs, a tensor left
// over or missing) is an error that says which.
func (m *Model) LoadAdapter(dir string) (*AdapterConfig, error) {
	c, err := ReadAdapterConfig(dir)
	if err != nil {
		return nil, err
	}
	names, _ := m.linears()
	var tlist []string
	if c.TargetModules.Regex != "" {
		re, err := regexp.Compile("^(?:" + c.TargetModules.Regex + ")$")
		if err != nil {
			return nil, fmt.Errorf("load adapter: target_modules %q is not a valid regular expression: %v", c.TargetModules.Regex, err)
		}
		for _, n := range names {
			if re.MatchString(n) {
				tlist = append(tlist, n)
			}
		}
		if len(tlist) == 0 {
			return nil, fmt.Errorf("load adapter: target_modules %q matches no layer of this base; it is an adapter for another model", c.TargetModules.Regex)
		}
	} else {
		valid := m.LoRATargets()
		for _, t := range c.TargetModules.List {
			if !slices.Contains(valid, t) && !slices.Contains(names, t) {
				return nil, fmt.Errorf("load adapter: target module %q is not a layer of this base (it has %s); the adapter is for another model", t, strings.Join(valid, ", "))
			}
		}
		tlist = c.TargetModules.List
	}
	tensors, _, err := safetensors.Read(filepath.Join(dir, AdapterWeightsFile))
	if err != nil {
		return nil, fmt.Errorf("load adapter: %w", err)
	}
	byName := map[string]safetensors.Tensor{}
	for _, t := range tensors {
		byName[t.Name] = t
	}
	// AddLoRA checks the rank against every layer and suffix-matches the targets.
	ads, err := m.AddLoRA(LoRAConfig{Rank: c.R, Alpha: c.LoraAlpha, Dropout: c.LoraDropout, Targets: tlist})
	if err != nil {
		m.dropLoRA()
		return nil, fmt.Errorf("load adapter %s: %w", dir, err)
	}
	for _, ad := range ads {
		for _, p := range []*Param{ad.A, ad.B} {
			t, ok := byName[p.Name]
			if !ok {
				m.dropLoRA()
				return nil, fmt.Errorf("load adapter: %s has no tensor %s; the adapter is for another base", AdapterWeightsFile, p.Name)
			}
			if !slices.Equal(t.Shape, p.Shape()) {
				m.dropLoRA()
				return nil, fmt.Errorf("load adapter: tensor %s has shape %v, this base needs %v; the adapter is for another base", p.Name, t.Shape, p.Shape())
			}
			for i, v := range t.Data {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					m.dropLoRA()
					return nil, fmt.Errorf("load adapter: tensor %s holds %g at %d; the file is damaged", p.Name, v, i)
				}
			}
			copy(p.Value.RawMatrix().Data, t.Data)
			delete(byName, p.Name)
		}
	}
	for name := range byName {
		m.dropLoRA()
		return nil, fmt.Errorf("load adapter: tensor %s is not an adapter of a layer of this base; the adapter is for another model", name)
	}
	return c, nil
}

// dropLoRA removes the adapters without merging them and unfreezes the model.
func (m *Model) dropLoRA() {
	for _, ad := range m.loras {
		ad.lin.lora = nil
	}
	m.loras = nil
	for _, p := range m.params {
		p.Frozen = m.quantKind != "" && p.Frozen
	}
}
