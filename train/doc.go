// Package train teaches a transformer to predict the next token of a text,
// the whole of "pretraining" at toy scale.
//
// The pieces, one file each:
//
//	run.go            the training loop: fresh or resumed setup, steps, evaluation, samples, checkpoints, Ctrl-C
//	optimizer.go      one optimiser step: forward, backward, clip, AdamW (also used by the demos)
//	shards.go         data parallelism: a batch shared among replicas of the model, one per core
//	adamw.go          AdamW with decoupled weight decay (4 weights at a time in internal/adamw); gradient clipping by global norm
//	schedule.go       linear warmup, then cosine decay of the learning rate
//	data.go           batches of random windows of the training tokens; fixed windows for evaluation
//	options.go        the options of a run (the flags of tick train) and the model they describe
//	sample.go         the sample text at each evaluation (transformer/generate)
//	progress.go       the progress bar on a terminal, plain lines elsewhere; wrap.go fits lines in 80 columns
//	metrics.go        metrics.jsonl; plot.go draws loss.png from it
//
// It ties together packages that each do one job and that generation and
// evaluation use without it: data (the text and its validation split),
// tokenizer, transformer (the model, its forward and backward passes),
// eval (loss, perplexity, bits per byte) and checkpoint (the run folder).
//
// One step reads Batch windows of Context+1 tokens (GradAccum times),
// computes the mean cross-entropy of each position's prediction of the
// next token (transformer.Model.Forward), its gradient (Backward), clips the
// gradient, and moves every weight with AdamW at the scheduled learning rate.
// Forward and Backward compute in Options.Precision, float32 by default
// (mixed precision: the weights, gradients and AdamW stay float64). A batch
// of enough tokens is cut into shards run at once on replicas of the model,
// their gradients summed (shards.go), as data-parallel trainers do across
// GPUs; the cut depends on the batch's shape only.
// Everything random (initialisation, batches, dropout) comes from Options.Seed
// through sources whose state is saved, so a run interrupted and resumed
// ends bit for bit where an uninterrupted one does.
package train
