package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tick-llm/tick/internal/inputfile"
	"github.com/tick-llm/tick/internal/memory"
	"github.com/tick-llm/tick/transformer"
	"github.com/tick-llm/tick/transformer/safetensors"
)

// The weight files of a Hugging Face folder: one file, or shards listed by
// an index.
const (
	WeightsFile = "model.safetensors"
	IndexFile   = "model.safetensors.index.json"
)

// LoadModel reads the model of a Hugging Face folder: config.json
// (ReadConfig, with context as there) and its weights, F32, F16 or BF16,
// widened to float64 exactly.
func LoadModel(dir string, context int) (*transformer.Model, error) {
	cfg, err := ReadConfig(dir, context)
	if err != nil {
		return nil, err
	}
	// tick holds a model in float64 with its gradients: refuse at once,
	// with the figure, a model this machine cannot hold (the file's weights
	// are read in float64 too while it loads).
	need := memory.Model(cfg) + memory.Cache(cfg) + 8*cfg.ParamCount()
	if err := memory.Check(need); err != nil {
		return nil, fmt.Errorf("%s: %.3g parameters: loading them %v; try a smaller model", dir, cfg.ParamCount(), err)
	}
	tensors, err := readWeights(dir)
	if err != nil {
		return nil, err
	}
	m, err := transformer.NewZero(cfg)
	if err != nil {
		return nil, err
	}
	if err := fill(m, tensors, dir); err != nil {
		return nil, err
	}
	return m, nil
}

// readWeights reads every tensor of the folder, from model.safetensors or
// the shards model.safetensors.index.json lists, by name.
func readWeights(dir string) (map[string]safetensors.Tensor, error) {
	return readWeightsWith(dir, readFile)
}

// readWeightsWith is readWeights with the function that reads one file
// (readFile in float64, readFile32 in float32).
func readWeightsWith[T any](dir string, readFile func(path string, want []string) (map[string]T, error)) (map[string]T, error) {
	index := filepath.Join(dir, IndexFile)
	if _, err := inputfile.Check(index); errors.Is(err, fs.ErrNotExist) {
		path := filepath.Join(dir, WeightsFile)
		if _, err := inputfile.Check(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s has neither %s nor %s: tick reads safetensors weights (a folder with only pytorch_model.bin needs converting)", dir, WeightsFile, IndexFile)
		}
		return readFile(path, nil)
	}
	b, err := inputfile.ReadFile(index)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", index, err)
	}
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &idx); err != nil || len(idx.WeightMap) == 0 {
		return nil, fmt.Errorf("%s has no weight_map (%v): restore it from the model's repository", index, err)
	}
	shards := map[string][]string{} // shard -> the names the index puts there
	for name, shard := range idx.WeightMap {
		if shard != filepath.Base(shard) || !strings.HasSuffix(shard, ".safetensors") {
			return nil, fmt.Errorf("%s puts %q in %q, which is not a .safetensors file of the folder", index, name, shard)
		}
		shards[shard] = append(shards[shard], name)
	}
	all := map[string]T{}
	for _, shard := range slices.Sorted(maps.Keys(shards)) {
		path := filepath.Join(dir, shard)
		if _, err := inputfile.Check(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s lists shard %s, which is missing: download the whole folder again", index, shard)
		}
		got, err := readFile(path, shards[shard])
		if err != nil {
			return nil, err
		}
		for name, t := range got {
			all[name] = t
		}
	}
	return all, nil
}

// readFile reads one safetensors file; want, if not nil, are the names an
// index says it holds, which must all be there.
func readFile(path string, want []string) (map[string]safetensors.Tensor, error) {
	list, _, err := safetensors.Read(path)
	return byName(path, list, err, func(t safetensors.Tensor) string { return t.Name }, want)
}

// byName indexes the tensors read from path by name, checking that each
// name in want is there.
func byName[T any](path string, list []T, err error, name func(T) string, want []string) (map[string]T, error) {
	if err != nil {
		return nil, fmt.Errorf("read weights: %w", err)
	}
	m := make(map[string]T, len(list))
	for _, t := range list {
		m[name(t)] = t
	}
	slices.Sort(want)
	for _, n := range want {
		if _, ok := m[n]; !ok {
			return nil, fmt.Errorf("%s should hold tensor %q (the index says so) but does not: download the shard again", path, n)
		}
	}
	return m, nil
}

// ignored reports names published checkpoints carry that are not weights:
// GPT-2's causal-mask buffers and old Llama checkpoints' RoPE frequencies.
func ignored(name string) bool {
	return strings.HasSuffix(name, ".attn.bias") || strings.HasSuffix(name, ".attn.masked_bias") ||
		strings.HasSuffix(name, "rotary_emb.inv_freq")
}

// tickName maps a checkpoint's tensor name to tick's: GPT-2 files name their
// tensors with or without the "transformer." prefix of GPT2LMHeadModel.
func tickName(name string, gpt bool) string {
	if gpt && name != "lm_head.weight" && !strings.HasPrefix(name, "transformer.") {
		return "transformer." + name
	}
	return name
}

// fill copies the tensors into m's parameters, checking that each is there
// with its shape and that none is left over.
func fill(m *transformer.Model, tensors map[string]safetensors.Tensor, dir string) error {
	return fillWith(m, tensors, dir,
		func(t safetensors.Tensor) (string, []int) { return t.Name, t.Shape },
		func(p *transformer.Param, t safetensors.Tensor) error {
			copy(p.Value.RawMatrix().Data, t.Data)
			return nil
		})
}

// fillWith is fill for tensors of any type T: meta gives a tensor's name
// and shape, load puts its values into a parameter of that shape.
func fillWith[T any](m *transformer.Model, tensors map[string]T, dir string, meta func(T) (string, []int), load func(*transformer.Param, T) error) error {
	gpt := m.Param("transformer.wte.weight") != nil
	byTick := map[string]T{}
	for name, t := range tensors {
		if ignored(name) {
			continue
		}
		if m.Config.TiedHead && name == "lm_head.weight" {
			continue // Hugging Face ties it to the embedding whatever the file holds
		}
		byTick[tickName(name, gpt)] = t
	}
	for _, p := range m.Params() {
		t, ok := byTick[p.Name]
		if !ok {
			return fmt.Errorf("%s has no tensor %s, which its config.json requires: the folder is incomplete or from another model", dir, p.Name)
		}
		name, shape := meta(t)
		if !slices.Equal(shape, p.Shape()) {
			return fmt.Errorf("%s: tensor %s has shape %v, but config.json makes it %v: the weights are from another model", dir, name, shape, p.Shape())
		}
		if err := load(p, t); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		delete(byTick, p.Name)
	}
	if len(byTick) > 0 {
		left := slices.Sorted(maps.Keys(byTick))
		return fmt.Errorf("%s holds tensor %s (and %d more) that the model config.json describes does not use (a bias where tick expects none, or another architecture): tick cannot run it as it is", dir, left[0], len(left)-1)
	}
	return nil
}
