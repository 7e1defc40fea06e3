package modelsize

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/internal/inputfile"
)

// FromDir reads the shape of a model folder: a Hugging Face folder (its
// config.json) or a tick run or checkpoint folder.
func FromDir(dir string) (Shape, error) {
	cfgPath := filepath.Join(dir, "config.json")
	data, err := inputfile.ReadFile(cfgPath)
	switch {
	case err == nil:
		s, err := FromHFConfig(data)
		if err != nil {
			return Shape{}, fmt.Errorf("%s: %w", cfgPath, err)
		}
		s.Name = filepath.Base(dir)
		s.Description = "Hugging Face folder"
		return s, nil
	case !errors.Is(err, fs.ErrNotExist):
		return Shape{}, fmt.Errorf("read %s: %w", cfgPath, err)
	}
	ck, err := checkpoint.LoadRun(dir)
	if err != nil {
		return Shape{}, fmt.Errorf("%w (or give a Hugging Face model folder, with its config.json)", err)
	}
	s := FromConfig(ck.Model.Config)
	s.Name, s.Description = filepath.Base(dir), "tick run folder"
	return s, nil
}
