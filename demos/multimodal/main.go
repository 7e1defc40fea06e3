// Command multimodal shows native multimodality at toy scale, the idea of
// GPT-4o: images enter the same decoder as text. Code draws 24x24 images of
// coloured shapes with their true captions; each image is cut into 4x4
// patches, a learned linear layer makes each patch a vector of the model's
// width, and the sequence [image patches][prompt][answer] goes through one
// GPT decoder, trained on the answer words only. It measures captions and
// answers to questions on held-out images the model never trained on, saves
// a few of those images as small PNGs, and draws where the model looks
// while it says each word.
//
//	go run ./demos/multimodal [-objects 1|2] [-questions=false] [-steps 3000] [-time-limit 10m] [-out out/multimodal]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tick-llm/tick/demos/internal/demo"
	"github.com/tick-llm/tick/internal/pngfile"
	"github.com/tick-llm/tick/multimodal"
	"github.com/tick-llm/tick/transformer"
)

// config holds the task, the model and the training sizes.
type config struct {
	Task      multimodal.Task
	Model     multimodal.Sizes
	HeldOut   int           // images kept out of training, to measure on
	Watch     int           // training examples measured during training
	Batch     int           // examples a step
	Steps     int           // optimiser steps at most
	LR        float64       // peak learning rate
	TimeLimit time.Duration // also stop after this long (0 = none)
	EvalEvery int           // steps between measurements of the training sample
	Seed      uint64        // model, held-out set and training images
	Samples   int           // held-out images shown with their captions
	Out       string        // folder for the PNGs
}

func defaultConfig() config {
	return config{
		Task:    multimodal.Task{MaxObjects: 1, Questions: true},
		Model:   multimodal.Sizes{Layers: 2, Heads: 4, Dim: 64},
		HeldOut: 500, Watch: 300, Batch: 32, Steps: 3000, LR: 3e-3,
		EvalEvery: 250, Seed: 1337, Samples: 6,
		Out: filepath.Join("out", "multimodal"),
	}
}

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.Task.MaxObjects, "objects", cfg.Task.MaxObjects, "shapes per image at most (1 or 2)")
	flag.BoolVar(&cfg.Task.Questions, "questions", cfg.Task.Questions, "train and measure questions beside captions")
	flag.IntVar(&cfg.Steps, "steps", cfg.Steps, "optimiser steps at most")
	flag.DurationVar(&cfg.TimeLimit, "time-limit", cfg.TimeLimit, "also stop training after this long (0 = none: a fixed number of steps, the same result on every machine)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the model, the held-out images and the training images")
	flag.StringVar(&cfg.Out, "out", cfg.Out, "folder for the PNGs")
	flag.Parse()
	demo.Main("multimodal", func(ctx context.Context, w io.Writer) error { return run(ctx, w, cfg) })
}

// run is the whole demo, writing to w.
func run(ctx context.Context, w io.Writer, cfg config) error {
	if err := cfg.Task.Validate(); err != nil {
		return fmt.Errorf("-objects: %w", err)
	}
	if cfg.Steps < 1 || cfg.EvalEvery < 1 {
		return fmt.Errorf("-steps %d: it must be at least 1", cfg.Steps)
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	scenes, heldKeys, err := multimodal.HeldOut(cfg.Task, cfg.HeldOut, cfg.Seed)
	if err != nil {
		return err
	}
	m, err := multimodal.New(cfg.Task, cfg.Model, cfg.Seed)
	if err != nil {
		return err
	}
	tr, err := multimodal.NewTrainer(m, heldKeys, cfg.Batch, cfg.Steps, cfg.LR, cfg.Seed)
	if err != nil {
		return err
	}
	// The held-out examples: every kind of example of each held-out image.
	qrng := rand.New(rand.NewPCG(cfg.Seed, 0x71)) // which object a question asks about
	var test []multimodal.Example
	for _, s := range scenes {
		test = append(test, cfg.Task.Examples(s, qrng)...)
	}
	// A fixed sample of training examples to watch progress and to decide
	// when to stop; the held-out images play no part in training.
	var watch []multimodal.Example
	for range cfg.Watch {
		watch = append(watch, tr.Draw())
	}

	if err := intro(w, cfg, m, test[0]); err != nil {
		return err
	}
	steps, elapsed, err := trainModel(ctx, w, cfg, tr, watch)
	if err != nil {
		return err
	}

	sc, err := multimodal.Evaluate(m, test, 250)
	if err != nil {
		return err
	}
	table(w, sc, len(scenes), steps, elapsed)
	if err := samples(w, cfg, test, sc); err != nil {
		return err
	}
	return looks(w, cfg, m, test, sc)
}

// intro explains the sequence the decoder reads, with an example image.
func intro(w io.Writer, cfg config, m *multimodal.Model, ex multimodal.Example) error {
	path := filepath.Join(cfg.Out, "example.png")
	if err := pngfile.Write(path, ex.Image.RGBA(8)); err != nil {
		return err
	}
	c := m.Decoder.Config
	fmt.Fprintln(w, "GPT-4o reads images with the same transformer that reads text. Here is that idea")
	fmt.Fprintln(w, "at toy scale. Code draws small pictures of shapes and knows what each shows:")
	fmt.Fprintf(w, "  %s  (%s, enlarged)\n", ex.Answer, path)
	fmt.Fprintf(w, "Each %dx%d image is cut into %d patches of %dx%d pixels; a learned linear layer turns\n",
		multimodal.Side, multimodal.Side, multimodal.NumPatches, multimodal.PatchSide, multimodal.PatchSide)
	fmt.Fprintf(w, "each patch's %d values (pixels x RGB) into a vector of the model's width %d, plus a\n", multimodal.PatchSize, c.Dim)
	fmt.Fprintln(w, "learned embedding of where the patch sits. The decoder then reads one sequence:")
	fmt.Fprintf(w, "  [%d patch vectors] describe -> %s <end>\n", multimodal.NumPatches, ex.Answer)
	if cfg.Task.Questions {
		fmt.Fprintln(w, "  [36 patch vectors] what colour is the square ? -> red <end>   (and \"what shape is")
		fmt.Fprintln(w, "  at the top left ?\", \"where is the red circle ?\")")
	}
	fmt.Fprintln(w, "The patches take the places token embeddings would have: from the first layer on,")
	fmt.Fprintln(w, "the same attention and MLPs read picture and words. The loss is on the answer words only.")
	fmt.Fprintf(w, "Model: a GPT decoder, %d layers, %d heads, width %d, %d parameters with the patch layer; backend %s.\n",
		c.Layers, c.Heads, c.Dim, m.NumParams(), transformer.Backend)
	fmt.Fprintf(w, "Data: fresh images every step, never one of the %d held-out images (compared pixel by pixel).\n", cfg.HeldOut)
	fmt.Fprintf(w, "Training: batches of %d, up to %d steps", cfg.Batch, cfg.Steps)
	if cfg.TimeLimit > 0 {
		fmt.Fprintf(w, " or %s", cfg.TimeLimit)
	}
	fmt.Fprintf(w, "; it stops early once it gets a sample of %d training examples all right.\n\n", cfg.Watch)
	return nil
}

// trainModel runs the trainer with a progress bar, measuring the
// training sample every EvalEvery steps.
func trainModel(ctx context.Context, w io.Writer, cfg config, tr *multimodal.Trainer, watch []multimodal.Example) (int, time.Duration, error) {
	start := time.Now()
	bar := newProgress(w, cfg.Steps)
	defer bar.finish()
	steps := 0
	for steps < cfg.Steps {
		if err := ctx.Err(); err != nil {
			bar.finish()
			fmt.Fprintf(w, "Interrupted after %d steps; measuring the model as it is.\n", steps)
			break
		}
		if cfg.TimeLimit > 0 && time.Since(start) > cfg.TimeLimit {
			bar.finish()
			fmt.Fprintf(w, "Time limit %s reached.\n", cfg.TimeLimit)
			break
		}
		steps++
		loss, _, err := tr.Step(steps)
		if err != nil {
			return steps, time.Since(start), fmt.Errorf("step %d: %w", steps, err)
		}
		bar.step(steps, loss, float64(steps)/time.Since(start).Seconds())
		if steps%cfg.EvalEvery == 0 || steps == cfg.Steps {
			sc, err := multimodal.Evaluate(tr.Model, watch, 250)
			if err != nil {
				return steps, time.Since(start), err
			}
			all := 0
			for k := range multimodal.KindNames {
				all += sc.Right[k]
			}
			bar.clear()
			fmt.Fprintf(w, "step %5d  loss %.4f  training sample: captions %.3f, all answers %.3f  %5.0fs\n",
				steps, loss, sc.Accuracy(multimodal.KindCaption), float64(all)/float64(len(watch)), time.Since(start).Seconds())
			if all == len(watch) {
				bar.finish()
				fmt.Fprintln(w, "All of the training sample right: stopping.")
				break
			}
		}
	}
	return steps, time.Since(start), nil
}

// table prints the held-out accuracy table.
func table(w io.Writer, sc multimodal.Scores, images, steps int, elapsed time.Duration) {
	fmt.Fprintf(w, "\nHeld-out images (%d, never trained on), greedy decoding, after %d steps in %.0fs:\n", images, steps, elapsed.Seconds())
	row := func(name string, right, total int) {
		if total > 0 {
			fmt.Fprintf(w, "  %-28s %5d of %5d  %6.2f%%\n", name, right, total, 100*float64(right)/float64(total))
		}
	}
	row("whole captions, word for word", sc.Right[multimodal.KindCaption], sc.Examples[multimodal.KindCaption])
	row("  shape named", sc.Shape, sc.Objects)
	row("  colour named", sc.Colour, sc.Objects)
	row("  size named", sc.Size, sc.Objects)
	row("  position named", sc.Position, sc.Objects)
	row("  number of shapes", sc.Count, sc.Examples[multimodal.KindCaption])
	for k := multimodal.KindColour; int(k) < len(multimodal.KindNames); k++ {
		row(multimodal.KindNames[k]+"s", sc.Right[k], sc.Examples[k])
	}
}

// samples prints the captions of the first held-out images beside the
// truth and saves each image as a small PNG.
func samples(w io.Writer, cfg config, test []multimodal.Example, sc multimodal.Scores) error {
	fmt.Fprintf(w, "\nSample held-out images (PNGs in %s):\n", cfg.Out)
	shown := 0
	for i, ex := range test {
		if ex.Kind != multimodal.KindCaption || shown == cfg.Samples {
			continue
		}
		shown++
		path := filepath.Join(cfg.Out, fmt.Sprintf("heldout-%d.png", shown))
		if err := pngfile.Write(path, ex.Image.RGBA(4)); err != nil {
			return err
		}
		mark := "right"
		if sc.Answers[i] != ex.Answer {
			mark = "WRONG, truth: " + ex.Answer
		}
		fmt.Fprintf(w, "  %s  model: %s  (%s)\n", filepath.Base(path), sc.Answers[i], mark)
		// the questions of the same image follow its caption
		for j := i + 1; j < len(test) && test[j].Kind != multimodal.KindCaption; j++ {
			q := test[j]
			mark := "right"
			if sc.Answers[j] != q.Answer {
				mark = "WRONG, truth: " + q.Answer
			}
			fmt.Fprintf(w, "      %s  %s  (%s)\n", q.Prompt, sc.Answers[j], mark)
		}
	}
	return nil
}

// looks draws the attention of each word of the first sample's caption
// over its image, and says, for each word, how much of the image attention
// of the head that looks at the image most falls on the shape's patches.
func looks(w io.Writer, cfg config, m *multimodal.Model, test []multimodal.Example, sc multimodal.Scores) error {
	ex, answer := test[0], sc.Answers[0]
	if _, err := multimodal.ParseCaption(answer); err != nil {
		answer = ex.Answer // the model's caption is not a caption: show the true one read in
	}
	words, err := multimodal.Attention(m, ex, answer)
	if err != nil {
		return err
	}
	path := filepath.Join(cfg.Out, "attention.png")
	if err := multimodal.WriteAttentionPNG(path, ex.Image, words, "\""+answer+"\": attention of each word over the image"); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nWhere it looks while it says %q (every layer and head: %s).\n", answer, path)
	fmt.Fprintln(w, "For each word, the head that gives the image the largest share of its attention,")
	fmt.Fprintln(w, "that share, and how much of it lands on the patches the shapes cover:")
	lit := multimodal.LitPatches(ex.Image)
	for _, wa := range words {
		bl, bh, best := 0, 0, -1.0
		for l := range wa.Patches {
			for h := range wa.Patches[l] {
				s := 0.0
				for _, v := range wa.Patches[l][h] {
					s += v
				}
				if s > best {
					bl, bh, best = l, h, s
				}
			}
		}
		on := 0.0
		for p, v := range wa.Patches[bl][bh] {
			if lit[p] {
				on += v
			}
		}
		fmt.Fprintf(w, "  %-9s layer %d head %d: %3.0f%% on the image, %3.0f%% of that on the shapes\n", wa.Word, bl, bh, 100*best, 100*on/max(best, 1e-12))
	}
	n := 0
	for _, l := range lit {
		if l {
			n++
		}
	}
	fmt.Fprintf(w, "(The shapes cover %d of the %d patches: %s.)\n", n, multimodal.NumPatches, strings.TrimSpace(fmt.Sprintf("%.0f%% of the image", 100*float64(n)/multimodal.NumPatches)))
	return nil
}
