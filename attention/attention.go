// Package attention shows where a trained model looks: for a prompt, the
// attention weights of its heads as shaded blocks in a terminal (with a
// sentence on what each head mostly does) and as heat maps in a PNG.
//
// It only draws. The weights are the transformer's own, from
// transformer.Model.Attention after a forward pass: in head h of layer l,
// row i holds how much query position i takes from each key position j,
// the softmax of the query-key scores over j <= i, so every row adds up to
// 1 and nothing lies above the diagonal (a token cannot look ahead).
//
//	attention.go   the weights of a prompt (Maps) and its token labels
//	terminal.go    shaded blocks, their legend, one sentence per head
//	png.go         a grid of heat maps with a colour scale
//
// tick attention and demos/attention both use it.
package attention

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// Head is the attention map of one head for one prompt.
type Head struct {
	Layer, Head int
	// Weights is T x T for a prompt of T tokens: row i is query position
	// i, column j key position j, and Weights.At(i, j) the share of its
	// attention that token i gives token j (0 for j > i).
	Weights *mat.Dense
}

// Maps runs m on one sequence of token IDs, with dropout off (it calls
// m.SetTraining(false, 0)), and returns the attention map of every head,
// indexed [layer][head]. The maps are copies, so they survive the model's
// next forward pass. ids must hold 1 to m.Config.Context tokens.
func Maps(m *transformer.Model, ids []int) ([][]Head, error) {
	c := m.Config
	if len(ids) == 0 || len(ids) > c.Context {
		return nil, fmt.Errorf("attention: %d tokens; the model reads 1 to Config.Context = %d at once", len(ids), c.Context)
	}
	m.SetTraining(false, 0)
	if _, err := m.Forward(ids, nil, 1, len(ids)); err != nil {
		return nil, fmt.Errorf("attention: %w", err)
	}
	maps := make([][]Head, c.Layers)
	for l := range c.Layers {
		a := m.Attention(l) // [batch row][head]; one batch row here
		if len(a) != 1 || len(a[0]) != c.Heads {
			return nil, fmt.Errorf("attention: layer %d has no map per head (%d) after the forward pass", l, c.Heads)
		}
		maps[l] = make([]Head, c.Heads)
		for h, w := range a[0] {
			maps[l][h] = Head{Layer: l, Head: h, Weights: mat.DenseCopyOf(w)}
		}
	}
	return maps, nil
}

// Labels returns each token of ids as it is shown on the axes: its bytes
// with whitespace made visible (tokenizer.Visible), so "·of" is " of".
func Labels(tok tokenizer.Tokenizer, ids []int) []string {
	labels := make([]string, len(ids))
	for i, id := range ids {
		labels[i] = tokenizer.Visible(tok.TokenBytes(id))
	}
	return labels
}
