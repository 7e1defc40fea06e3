package align

import (
	"fmt"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// LoadBase loads the model a stage starts from: a byte-level `tick train`
// run (its vocabulary is then extended by the role tokens, ChatModel) or a
// run an align stage wrote (already in the chat vocabulary).
func LoadBase(dir string) (*transformer.Model, error) {
	m, tok, err := checkpoint.LoadModel(dir)
	if err != nil {
		return nil, err
	}
	return ChatModel(m, tok, dir)
}

// ChatModel returns m in the chat vocabulary. A model of tick's chat
// tokenizer (an align stage's output) is returned as it is. A byte-level
// model (256 tokens) gets the three role tokens as new rows 256-258 of its
// token embedding (and of its output head, when untied), each set to the
// mean of the byte rows: a neutral start that fine-tuning moves, while
// every byte keeps what pretraining learned. Any other vocabulary is an
// error: the chat format reads text as bytes. dir names the run in errors.
func ChatModel(m *transformer.Model, tok tokenizer.Tokenizer, dir string) (*transformer.Model, error) {
	cfg := m.Config
	if cfg.Context < Context {
		return nil, fmt.Errorf("%s has context %d; the chat task needs at least %d tokens: train a base with --context %d or more", dir, cfg.Context, Context, Context)
	}
	if isChatTokenizer(tok) && cfg.VocabSize == VocabSize {
		return m, nil
	}
	if tok.Name() != "byte" || cfg.VocabSize != 256 {
		return nil, fmt.Errorf("%s uses the %s tokenizer with %d tokens; tick align needs a byte-level base (tick train --tokenizer byte) or an align stage's run", dir, tok.Name(), tok.VocabSize())
	}
	cfg.VocabSize = VocabSize
	c, err := transformer.NewZero(cfg)
	if err != nil {
		return nil, fmt.Errorf("chat model: %w", err)
	}
	for i, p := range c.Params() {
		src := m.Params()[i]
		if p.Name != src.Name {
			return nil, fmt.Errorf("chat model: parameter %d is %s in the base, %s here", i, src.Name, p.Name)
		}
		s, d := src.Shape(), p.Shape()
		if len(s) == 2 && s[0] == 256 && d[0] == VocabSize && s[1] == d[1] {
			// A vocabulary matrix (V x D): the byte rows, then their mean
			// for each role token.
			D := s[1]
			sv, dv := src.Value.RawMatrix().Data, p.Value.RawMatrix().Data
			copy(dv, sv)
			for j := range D {
				mean := 0.0
				for r := range 256 {
					mean += sv[r*D+j] / 256
				}
				for r := 256; r < VocabSize; r++ {
					dv[r*D+j] = mean
				}
			}
			continue
		}
		if len(s) != len(d) || src.Size() != p.Size() {
			return nil, fmt.Errorf("chat model: %s is %v in the base, %v here", p.Name, s, d)
		}
		p.Value.Copy(src.Value)
	}
	return c, nil
}

// isChatTokenizer reports whether tok is ChatTokenizer's vocabulary: 259
// tokens, the bytes and then the role tokens by name.
func isChatTokenizer(tok tokenizer.Tokenizer) bool {
	if tok.VocabSize() != VocabSize {
		return false
	}
	for b := range 256 {
		if tb := tok.TokenBytes(b); len(tb) != 1 || tb[0] != byte(b) {
			return false
		}
	}
	for id, name := range roleNames {
		if string(tok.TokenBytes(id)) != name {
			return false
		}
	}
	return true
}
