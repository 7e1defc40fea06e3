package main

import (
	"fmt"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/quant"
)

func init() {
	commands["quantize"] = command{
		summary: "show what int8 or NF4 storage does to each weight of a model",
		run:     runQuantize,
	}
}

func runQuantize(args []string) error {
	fs := newFlags("tick quantize", "Usage: tick quantize --model RUN [--kind nf4|int8] [--double-quant]\n\n"+
		"Quantizes the linear layers of a trained model as QLoRA stores its frozen base\n"+
		"(blocks of 64 values, one absmax scale each) and prints, per tensor, its bytes\n"+
		"as float32 and quantized and the reconstruction error. Nothing is written.")
	model := fs.String("model", "tick-run", "run `folder` or checkpoint folder")
	kind := fs.String("kind", "nf4", "nf4 or int8")
	double := fs.Bool("double-quant", false, "quantize the block scales too (8-bit, blocks of 256)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q; flags only, e.g. --model RUN", pos[0])
	}
	k, err := quant.ParseKind(*kind)
	if err != nil {
		return fmt.Errorf("--kind: %w", err)
	}
	m, _, err := checkpoint.LoadModel(*model)
	if err != nil {
		return err
	}
	reports, err := m.QuantizeBase(k, *double)
	if err != nil {
		return err
	}
	fmt.Printf("%-34s %8s %9s %9s %9s %7s\n", "tensor ("+string(k)+")", "values", "f32 bytes", "bytes", "max |err|", "rel err")
	var f32, q int
	for _, r := range reports {
		fmt.Printf("%-34s %8d %9d %9d %9.2e %6.2f%%\n", r.Name, r.Values, r.Float32Bytes, r.Bytes, r.MaxAbsError, 100*r.RelativeError)
		f32 += r.Float32Bytes
		q += r.Bytes
	}
	fmt.Printf("linear layers: %d bytes as float32, %d quantized (%.2f bits per value, %.1fx smaller)\n", f32, q, 32*float64(q)/float64(f32), float64(f32)/float64(q))
	return nil
}
