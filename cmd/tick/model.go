package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/tick-llm/tick/modelsize"
)

func init() {
	commands["model"] = command{
		summary: "what a model's size means: parameters, memory, KV cache, FLOPs",
		run:     runModel,
	}
}

func runModel(args []string) error {
	fs := newFlags("tick model", "Usage: tick model --preset NAME | --model DIR [--format text|json]\n\n"+
		"The parameters of a model by component, the bytes of its weights in\n"+
		"float32, bf16, int8 and 4-bit, its KV cache, the FLOPs of one token and\n"+
		"the 6·N·D compute of its pretraining, from its shape alone.\n"+
		"Presets: "+strings.Join(modelsize.Presets(), ", "))
	preset := fs.String("preset", "", "a published model or tick preset `name`")
	model := fs.String("model", "", "a tick run `folder` or a Hugging Face model folder")
	format := fs.String("format", "text", "text, or json (one object, for programs)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q; flags only, e.g. --preset llama3-8b", pos[0])
	}
	if (*preset == "") == (*model == "") {
		return fmt.Errorf("give one of --preset NAME (%s) or --model DIR", strings.Join(modelsize.Presets(), ", "))
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("--format %q: use text or json", *format)
	}
	var s modelsize.Shape
	if *preset != "" {
		s, err = modelsize.Preset(*preset)
	} else {
		s, err = modelsize.FromDir(*model)
	}
	if err != nil {
		return err
	}
	r := modelsize.Measure(s)
	if *format == "json" {
		enc := json.NewEncoder(os.Stdout)
		return enc.Encode(r)
	}
	return r.WriteText(os.Stdout)
}
