package transformer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// Files of a saved model folder.
const (
	ConfigFile  = "config.json"
	WeightsFile = "model.safetensors"
)

// Save writes the model into dir (created if needed): config.json (the
// Config) and model.safetensors (every parameter, float64, under its
// Hugging Face name and shape). Each file is written to a temporary file in
// dir and renamed, so a crash never leaves a half-written file.
func (m *Model) Save(dir string) error {
	if m.inference {
		return fmt.Errorf("save model: %w", ErrInferenceOnly)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	tensors := make([]safetensors.Tensor, len(m.params))
	for i, p := range m.params {
		tensors[i] = safetensors.Tensor{Name: p.Name, Shape: p.Shape(), Data: p.Value.RawMatrix().Data}
	}
	meta := map[string]string{"format": "pt", "producer": "tick"}
	if err := safetensors.Write(filepath.Join(dir, WeightsFile), tensors, meta); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	cfg, err := json.MarshalIndent(m.Config, "", "  ")
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ConfigFile), append(cfg, '\n')); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// Load reads a model saved by Save. Every problem (a missing or malformed
// file, an invalid configuration, a missing, unexpected, misshapen or
// non-finite tensor) is an error naming the file and the problem.
func Load(dir string) (*Model, error) {
	cfgPath := filepath.Join(dir, ConfigFile)
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("load model: %s is not a valid tick config: %w", cfgPath, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("load model: %s: %w", cfgPath, err)
	}
	wPath := filepath.Join(dir, WeightsFile)
	tensors, _, err := safetensors.Read(wPath)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	// Compare sizes before allocating, so a config with huge sizes cannot
	// exhaust memory: the weights file bounds what is allocated.
	stored := 0
	for _, t := range tensors {
		stored += len(t.Data)
	}
	if need := cfg.NumParams(); need != stored {
		return nil, fmt.Errorf("load model: %s describes %d parameters but %s holds %d: they are not from the same model", cfgPath, need, wPath, stored)
	}
	m := newModel(cfg)
	byName := make(map[string]safetensors.Tensor, len(tensors))
	for _, t := range tensors {
		byName[t.Name] = t
	}
	for _, p := range m.params {
		t, ok := byName[p.Name]
		if !ok {
			return nil, fmt.Errorf("load model: %s has no tensor %q, which %s requires", wPath, p.Name, cfgPath)
		}
		if !slices.Equal(t.Shape, p.shape) {
			return nil, fmt.Errorf("load model: tensor %q in %s has shape %v, but %s requires %v", p.Name, wPath, t.Shape, cfgPath, p.shape)
		}
		for i, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("load model: tensor %q in %s holds %g at index %d", p.Name, wPath, v, i)
			}
		}
		copy(p.Value.RawMatrix().Data, t.Data)
		delete(byName, p.Name)
	}
	if len(byName) > 0 {
		extra := make([]string, 0, len(byName))
		for name := range byName {
			extra = append(extra, name)
		}
		slices.Sort(extra)
		return nil, fmt.Errorf("load model: %s holds tensor %q, which %s does not use (%d unexpected)", wPath, extra[0], cfgPath, len(extra))
	}
	return m, nil
}
