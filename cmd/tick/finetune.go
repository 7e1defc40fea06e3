package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/train"
)

func init() {
	commands["finetune"] = command{
		summary: "adapt a trained model to a new text: LoRA, QLoRA or full fine-tuning",
		run:     runFinetune,
	}
}

func runFinetune(args []string) error {
	o := train.DefaultOptions()
	o.Steps, o.Warmup, o.EvalEvery, o.Context = 300, 20, 100, 0
	o.Precision = "float64" // LoRA adapters compute in float64 only; --precision float32 suits --full
	ft := &train.Finetune{Rank: 8, Alpha: 16, Targets: []string{"q", "v"}}
	targets := "q,v"
	fs := trainFlags(&o)
	fs.Usage = nil
	fs.StringVar(&ft.Base, "model", "", "the base: a run `folder` of tick train (its best checkpoint) or a checkpoint folder")
	fs.IntVar(&ft.Rank, "lora-rank", ft.Rank, "LoRA rank r")
	fs.Float64Var(&ft.Alpha, "lora-alpha", ft.Alpha, "LoRA alpha (the adapter path is scaled by alpha/r)")
	fs.Float64Var(&ft.Dropout, "lora-dropout", ft.Dropout, "dropout on the adapter input while training")
	fs.StringVar(&targets, "lora-targets", targets, "layers to adapt, comma separated: q,k,v,o,gate,up,down (Llama names)\nor c_attn,c_proj,c_fc (GPT-2 names; q,k,v mean c_attn)")
	fs.StringVar(&ft.Quantize, "quantize", "", "store the frozen base as nf4 or int8 (QLoRA)")
	fs.BoolVar(&ft.Double, "double-quant", false, "with --quantize: quantize the block scales too (8-bit, blocks of 256)")
	fs.BoolVar(&ft.Full, "full", false, "train every parameter instead of adapters")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q; flags only, e.g. --model RUN --data FILE", pos[0])
	}
	ft.Targets = strings.Split(targets, ",")
	if o.Resume {
		if err := checkpoint.CheckRun(o.Out); err != nil {
			return err
		}
		saved, err := train.SavedOptions(o.Out)
		if err != nil {
			return err
		}
		saved.Out, saved.Resume, saved.Progress = o.Out, true, os.Stderr
		o = saved
	} else {
		if ft.Base == "" {
			return fmt.Errorf("--model is required: the run folder of the model to fine-tune")
		}
		o.Finetune = ft
	}
	o.Progress = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	_, err = train.Run(ctx, o, os.Stdout)
	return flagAdvice(err)
}
