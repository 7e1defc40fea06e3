// Package generate runs a trained transformer autoregressively: it reads the
// next-token logits, lets transformer/sample pick a token, appends it, and
// repeats, using the model's KV cache so each step costs one token's work
// and sliding the cache's window (Cache.Slide) when the context is full.
//
// It can show its work. A Step holds what a learner wants to see at each
// step: the context so far, the sampler's candidates (sample.Candidate, with
// their probabilities before and after top-k/top-p and why each was kept or
// cut), the entropy of the distribution, and which token was taken and why.
// RenderStep draws it as a table for a terminal, spelling tokens with
// tokenizer.Visible; Loop runs generation as streamed text (through
// tokenizer.StreamDecoder), as a trace of steps, interactively (a key per
// step: Enter, a digit to pick, b to go back, + - [ ] to change the
// temperature and top-k, a, q; see ModeInteractive) or as JSON lines.
//
// Any vocabulary works: the caller passes a TokenText function to spell
// tokens.
//
//	g, _ := generate.New(model, promptIDs, generate.Options{Sample: sample.Default, Seed: 1, TokenText: tok.TokenBytes})
//	loop := generate.Loop{Stepper: g, TokenText: tok.TokenBytes, Mode: generate.ModeText, MaxTokens: 200, Out: os.Stdout}
//	res, err := loop.Run()
package generate
