// Package demo holds what the demos' main programs share: running with
// Ctrl-C and a one-line error, and finding the model the tinygpt demo
// trained. Each demo's lesson stays in its own main package.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// Main runs a demo writing to standard output, with a context that Ctrl-C
// cancels. An error is printed as one line, "name: error", and the program
// exits with status 1.
func Main(name string, run func(ctx context.Context, w io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Model is where the tinygpt demo saves its run, which the generate and
// attention demos read.
var Model = filepath.Join("out", "tinygpt")

// LoadModel loads the model a run folder holds, with its tokenizer, saying
// how to make one when there is none. It only loads: training is the tinygpt
// demo's job, so the demos that read a model need none of the training code.
func LoadModel(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no trained model in %s: train one first with go run ./demos/tinygpt (make demo does), or give -model a run folder", dir)
	}
	m, tok, err := checkpoint.LoadModel(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w (go run ./demos/tinygpt trains a model there)", dir, err)
	}
	return m, tok, nil
}
