package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/hf"
	"github.com/tick-llm/tick/transformer"
)

func init() {
	commands["export"] = command{
		summary: "write a trained model as a Hugging Face model folder",
		run:     runExport,
	}
}

func runExport(args []string) error {
	fs := newFlags("tick export", "Usage: tick export --model RUN --out DIR [--dtype f32|bf16]\n\n"+
		"Writes a trained model as a Hugging Face model folder that transformers'\n"+
		"from_pretrained loads as it is: config.json (GPT2LMHeadModel or\n"+
		"LlamaForCausalLM), model.safetensors, generation_config.json and the\n"+
		"tokenizer (tokenizer.json). --model also takes a Hugging Face folder, or with\n"+
		"--merge a LoRA adapter from tick finetune.")
	model := fs.String("model", "tick-run", "run `folder` (best/, else last/), checkpoint or Hugging Face folder")
	out := fs.String("out", "", "the `folder` to write; it must not exist yet, or be empty")
	dtype := fs.String("dtype", "f32", "weights as f32 or bf16")
	merge := fs.Bool("merge", false, "--model is a LoRA adapter (tick finetune): write its base\nwith the adapter merged in, W + (α/r)·B·A")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q; flags only, e.g. --model RUN --out DIR", pos[0])
	}
	if *out == "" {
		return fmt.Errorf("--out is missing: give the folder to write, e.g. --out my-model-hf")
	}
	dt := strings.ToUpper(*dtype)
	if dt != "F32" && dt != "BF16" {
		return fmt.Errorf("--dtype %s: use f32 or bf16", *dtype)
	}
	// Never over a user's files: only a new or empty folder.
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		return fmt.Errorf("--out %s is not empty (it holds %s): choose a new folder", *out, entries[0].Name())
	} else if err == nil || !os.IsNotExist(err) {
		if st, serr := os.Stat(*out); serr == nil && !st.IsDir() {
			return fmt.Errorf("--out %s is a file: choose a new folder", *out)
		}
	}
	// A fine-tune's run folder holds adapters in its checkpoints.
	adapter := checkpoint.IsAdapter(*model)
	if d, err := checkpoint.Find(*model); err == nil && !hf.IsModelFolder(*model) {
		adapter = adapter || checkpoint.IsAdapter(d)
	}
	switch {
	case adapter && !*merge:
		return fmt.Errorf("--model %s is a LoRA adapter: add --merge to write its base with the adapter merged in", *model)
	case !adapter && *merge:
		return fmt.Errorf("--merge: --model %s is not a LoRA adapter (no %s): drop --merge", *model, transformer.AdapterConfigFile)
	}
	m, tok, err := loadModel(*model) // an adapter comes merged (checkpoint.LoadModel)
	if err != nil {
		return err
	}
	if err := hf.ExportFolder(m, tok, *out, dt); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s, %d parameters in %s, tokenizer %s\n", *out, m.Config.Naming, m.NumParams(), dt, tok.Name())
	return nil
}
