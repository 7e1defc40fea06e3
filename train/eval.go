package train

import (
	"fmt"
	"math"

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

// windowLoss scores tokens through windows: for each window w, the model reads
// tokens[w.Start : w.Start+w.Len] and is scored on the next token at each
// position. Windows of the same length run B at a time. Dropout is off.
func windowLoss(m *transformer.Model, tok Tokenizer, tokens []int, windows []Window, B int) (LossStats, error) {
	m.SetTraining(false, 0)
	var s LossStats
	for i := 0; i < len(windows); {
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
		if _, err := m.Forward(x, y, n, T); err != nil {
			return s, fmt.Errorf("evaluate: %w", err)
		}
		// Sum the per-position losses in order rather than scaling the
		// mean back up: the total is then exact to the last bit.
		for _, l := range m.PositionLosses() {
			s.Nats += l
		}
		s.Tokens += n * T
		for _, id := range y {
			s.Bytes += len(tok.TokenBytes(id))
		}
		i = j
	}
	return s, nil
}

// fixedWindows turns window starts into windows of length T.
func fixedWindows(starts []int, T int) []Window {
	ws := make([]Window, len(starts))
	for i, s := range starts {
		ws[i] = Window{Start: s, Len: T}
	}
	return ws
}
