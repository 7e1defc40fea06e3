package modelsize

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/hf"
	"github.com/tick-llm/tick/internal/inputfile"
)

// FromDir reads the shape of a model folder: a Hugging Face folder (its
// config.json) or a tick run or checkpoint folder.
func FromDir(dir string) (Shape, error) {
	if _, err := inputfile.Check(filepath.Join(dir, hf.ConfigFile)); err == nil {
		cfg, positions, err := hf.ParseConfig(dir)
		if err != nil {
			return Shape{}, err
		}
		cfg.Context = positions
		s := FromConfig(cfg)
		s.Name, s.Description = filepath.Base(dir), "Hugging Face folder"
		s.TrainTokensSource = "unknown for a model read from a folder: see its model card"
		if err := s.Check(); err != nil {
			return Shape{}, fmt.Errorf("%s: %w", filepath.Join(dir, hf.ConfigFile), err)
		}
		return s, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Shape{}, fmt.Errorf("read %s: %w", filepath.Join(dir, hf.ConfigFile), err)
	}
	ck, err := checkpoint.LoadRun(dir)
	if err != nil {
		return Shape{}, fmt.Errorf("%w (or give a Hugging Face model folder, with its config.json)", err)
	}
	s := FromConfig(ck.Model.Config)
	s.Name, s.Description = filepath.Base(dir), "tick run folder"
	return s, nil
}
