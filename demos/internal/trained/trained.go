// Package trained finds the model the demos look at: the run folder that
// go run ./demos/tinygpt leaves in out/tinygpt, or one the user names. It
// only loads; training is the tinygpt demo's job, so the demos that read a
// model (generate, attention) need none of the training code.
package trained

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// Default is where the tinygpt demo saves its run.
var Default = filepath.Join("out", "tinygpt")

// Load loads the model a run folder holds, with its tokenizer, saying how
// to make one when there is none.
func Load(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no trained model in %s: train one first with go run ./demos/tinygpt (make demo does), or give -model a run folder", dir)
	}
	m, tok, err := checkpoint.LoadModel(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w (go run ./demos/tinygpt trains a model there)", dir, err)
	}
	return m, tok, nil
}
