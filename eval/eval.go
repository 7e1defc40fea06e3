// Package eval measures how well a model predicts a text: the loss per
// token (nats), perplexity, and bits per byte, over windows of the text's
// tokens. Training uses it for its evaluations; Evaluate scores a saved run
// on any text, holding out the same validation split the run held out.
package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/data"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// LossStats is a model's loss over some tokens of a text.
type LossStats struct {
	Nats   float64 // total negative log-likelihood of the scored tokens
	Tokens int     // tokens scored (predicted)
	Bytes  int     // bytes of text those tokens stand for
}

// Loss is the mean loss per token in nats.
func (s LossStats) Loss() float64 { return s.Nats / float64(s.Tokens) }

// Perplexity is e^Loss: the number of equally likely tokens the model is,
// on average, as unsure as.
func (s LossStats) Perplexity() float64 { return math.Exp(s.Loss()) }

// BitsPerByte is the loss in bits per byte of text: total nats / ln 2 /
// bytes covered. Unlike loss per token it does not depend on how much text a
// token holds, so models with different tokenizers can be compared.
func (s LossStats) BitsPerByte() float64 { return s.Nats / math.Ln2 / float64(s.Bytes) }

// Windows scores tokens through windows: for each window w, the model reads
// tokens[w.Start : w.Start+w.Len] and is scored on the next token at each
// position. Windows of the same length run B at a time. Dropout is off.
func Windows(m *transformer.Model, tok tokenizer.Tokenizer, tokens []int, windows []data.Window, B int) (LossStats, error) {
	return WindowsContext(context.Background(), m, tok, tokens, windows, B)
}

// WindowsContext is Windows that stops between batches when ctx is done
// (Ctrl-C during a long evaluation), returning ctx's error.
func WindowsContext(ctx context.Context, m *transformer.Model, tok tokenizer.Tokenizer, tokens []int, windows []data.Window, B int) (LossStats, error) {
	return WindowsShared(ctx, []*transformer.Model{m}, tok, tokens, windows, B)
}

// WindowsShared is WindowsContext with each batch shared among models that
// compute alike (replicas of one model: transformer.Model.Replica), all
// running at once: of a batch of n windows, models[i] reads windows
// [n·i/k, n·(i+1)/k). Their positions' losses are summed in window order,
// so the result depends on the number of models, never on the cores.
func WindowsShared(ctx context.Context, models []*transformer.Model, tok tokenizer.Tokenizer, tokens []int, windows []data.Window, B int) (LossStats, error) {
	for _, m := range models {
		m.SetTraining(false, 0)
	}
	var s LossStats
	for i := 0; i < len(windows); {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		// A batch: up to B consecutive windows of the same length.
		T := windows[i].Len
		j := i
		for j < len(windows) && j-i < B && windows[j].Len == T {
			j++
		}
		n := j - i
		x := make([]int, 0, n*T)
		y := make([]int, 0, n*T)
		for _, w := range windows[i:j] {
			x = append(x, tokens[w.Start:w.Start+T]...)
			y = append(y, tokens[w.Start+1:w.Start+T+1]...)
		}
		losses, err := shareForward(models, x, y, n, T)
		if err != nil {
			return s, fmt.Errorf("evaluate: %w", err)
		}
		// Sum the per-position losses in order rather than scaling the
		// mean back up: the total is then exact to the last bit.
		for _, share := range losses {
			for _, l := range share {
				s.Nats += l
			}
		}
		s.Tokens += n * T
		for _, id := range y {
			s.Bytes += len(tok.TokenBytes(id))
		}
		i = j
	}
	return s, nil
}

// shareForward runs a batch of n windows of T tokens cut among the models,
// all at once, and returns each share's per-position losses, in order.
func shareForward(models []*transformer.Model, x, y []int, n, T int) ([][]float64, error) {
	k := min(len(models), n)
	losses, errs := make([][]float64, k), make([]error, k)
	var wg sync.WaitGroup
	for i, m := range models[:k] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := n*i/k, n*(i+1)/k
			if _, errs[i] = m.Forward(x[lo*T:hi*T], y[lo*T:hi*T], hi-lo, T); errs[i] == nil {
				losses[i] = m.PositionLosses()
			}
		}()
	}
	wg.Wait()
	return losses, errors.Join(errs...)
}

// Options say what tick eval measures.
type Options struct {
	Model   string  // run folder or checkpoint folder
	Data    string  // text file; "" = the text the model trained on
	Whole   bool    // score the whole file, not only its validation split
	ValFrac float64 // validation fraction; 0 = the run's --val-frac
	Batch   int     // windows per forward pass, at least 1; 0 = 16
}

// Result is a model's loss on a text.
type Result struct {
	LossStats
	Checkpoint string // the checkpoint folder used
	Step       int    // its training step
	Data       string // the text file scored
	Part       string // "validation split (last 10% of the tokens)" or "whole file"
	Warning    string // how the checkpoint was chosen, if not as asked (checkpoint.Checkpoint.Warning)
}

// Evaluate scores a trained model on a text: the loss per token, perplexity
// and bits per byte over the validation split (the last ValFrac of its
// tokens, as in training) or the whole file, read in side-by-side windows of
// the model's context so that every token but the first is predicted once.
func Evaluate(o Options) (*Result, error) {
	if o.Batch < 0 {
		return nil, fmt.Errorf("--batch %d is out of range: it must be at least 1", o.Batch)
	}
	ck, err := checkpoint.LoadRun(o.Model)
	if err != nil {
		return nil, err
	}
	file := o.Data
	if file == "" {
		file = ck.State.Data.Name
	}
	if err := data.CheckSaved(file, ck.State.Data.Name); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", ck.Dir, err)
	}
	name, text, err := data.Read(file)
	if err != nil {
		return nil, err
	}
	tokens, err := ck.Tokenizer.Encode(string(text))
	if err != nil {
		return nil, fmt.Errorf("tokenize %s: %w", name, err)
	}
	T := ck.Model.Config.Context
	part := "whole file"
	if !o.Whole {
		frac := o.ValFrac
		if frac == 0 {
			frac = ck.State.ValFrac()
		}
		if _, tokens, err = data.Split(tokens, frac, T); err != nil {
			return nil, fmt.Errorf("%s: %w (or use --whole)", name, err)
		}
		part = fmt.Sprintf("validation split (last %.4g%% of the tokens)", 100*frac)
	} else if len(tokens) < 2 {
		return nil, fmt.Errorf("%s: too short to score: %d token(s), need at least 2", name, len(tokens))
	}
	batch := o.Batch
	if batch == 0 {
		batch = 16
	}
	windows := data.Tiling(len(tokens), T)
	if err := checkMemory(ck.Model.Config, windows, batch, len(tokens)); err != nil {
		return nil, err
	}
	s, err := Windows(ck.Model, ck.Tokenizer, tokens, windows, batch)
	if err != nil {
		return nil, err
	}
	if l := s.Loss(); math.IsNaN(l) || math.IsInf(l, 0) {
		wname, w := largestWeight(ck.Model)
		return nil, fmt.Errorf("checkpoint %s: the loss on %s is %g, not a number a model can have: its arithmetic overflows (largest weight %g in %s); the training diverged or the file was altered: use another checkpoint", ck.Dir, name, l, w, wname)
	}
	return &Result{LossStats: s, Checkpoint: ck.Dir, Step: ck.State.Step, Data: name, Part: part, Warning: ck.Warning}, nil
}

// largestWeight returns the parameter holding the weight of largest
// magnitude and that weight: where to look when the arithmetic overflows.
func largestWeight(m *transformer.Model) (string, float64) {
	name, big := "", 0.0
	for _, p := range m.Params() {
		for _, v := range p.Value.RawMatrix().Data {
			if math.Abs(v) > math.Abs(big) {
				name, big = p.Name, v
			}
		}
	}
	return name, big
}
