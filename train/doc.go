// Package train teaches a transformer to predict the next token of a text,
// the whole of "pretraining" at toy scale, and measures how well it does.
//
// The pieces, one file each:
//
//	tokenizer.go      char and byte tokenizers (tokenizer_load.go: tiktoken encodings, saving)
//	data.go           token stream -> training/validation split -> batches of random windows
//	adamw.go          AdamW with decoupled weight decay; gradient clipping by global norm
//	schedule.go       linear warmup, then cosine decay of the learning rate
//	optimizer.go      one optimiser step: forward, backward, clip, AdamW (also used by the demos)
//	run.go            the training loop: steps, evaluation, samples, checkpoints, Ctrl-C
//	sample.go         the sample text at each evaluation (transformer/generate)
//	progress.go       the progress bar on a terminal, plain lines elsewhere; wrap.go fits lines in 80 columns
//	eval.go           loss, perplexity and bits per byte over windows of a text
//	checkpoint.go     atomic, checksummed checkpoints (model, optimiser, random state, tokenizer)
//	metrics.go        metrics.jsonl; plot.go draws loss.png from it
//	load.go           LoadModel and Evaluate for trained runs
//	corpus.go         default text: Newton's Opticks from GOROOT, else an embedded sample
//
// One step reads Batch windows of Context+1 tokens (GradAccum times),
// computes the mean cross-entropy of each position's prediction of the
// next token (transformer.Model.Forward), its gradient (Backward), clips the
// gradient, and moves every weight with AdamW at the scheduled learning rate.
// Everything random (initialisation, batches, dropout) comes from Options.Seed
// through sources whose state is saved, so a run interrupted and resumed
// ends bit for bit where an uninterrupted one does.
package train
