package main

import (
	"fmt"
	"path/filepath"

	"github.com/tick-llm/tick/checkpoint"
)

func init() {
	commands["merge"] = command{
		summary: "fold a LoRA adapter into its base: a plain model folder",
		run:     runMerge,
	}
}

func runMerge(args []string) error {
	fs := newFlags("tick merge", "Usage: tick merge --adapter DIR --out DIR\n\n"+
		"Loads the base an adapter names, adds (alpha/r)·B·A to each adapted weight and\n"+
		"writes the merged model (config.json, model.safetensors, tokenizer) to --out,\n"+
		"which tick generate and tick eval read like a checkpoint.")
	adapter := fs.String("adapter", "", "a fine-tune run `folder` (its best adapter) or an adapter folder")
	out := fs.String("out", "", "new `folder` for the merged model")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *adapter == "" || *out == "" {
		return fmt.Errorf("usage: tick merge --adapter DIR --out DIR")
	}
	return checkpoint.Merge(*adapter, filepath.Clean(*out))
}
