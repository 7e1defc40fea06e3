package hf

import (
	"fmt"

	"github.com/tick-llm/tick/tokenizer"
	hftokenizer "github.com/tick-llm/tick/tokenizer/hf"
	"github.com/tick-llm/tick/transformer"
)

// Open reads a Hugging Face model folder whole: the model (LoadModel) and
// its tokenizer (tokenizer/hf.Load: tokenizer.json, Meta's
// original/tokenizer.model or GPT-2's vocab.json + merges.txt).
func Open(dir string, context int) (*transformer.Model, tokenizer.Tokenizer, error) {
	m, err := LoadModel(dir, context)
	if err != nil {
		return nil, nil, err
	}
	return withTokenizer(m, dir)
}

// withTokenizer reads the tokenizer of folder dir (tokenizer/hf.Load) and
// checks that it fits model m.
func withTokenizer(m *transformer.Model, dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	tok, err := hftokenizer.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	// Models often have more rows than tokens (padded for speed); fewer
	// would leave tokens without an embedding.
	if tok.VocabSize() > m.Config.VocabSize {
		return nil, nil, fmt.Errorf("%s: the tokenizer has %d tokens but the model only %d rows of embeddings: the two are not from the same model", dir, tok.VocabSize(), m.Config.VocabSize)
	}
	return m, tok, nil
}

// ExportFolder writes m and its tokenizer into dir as a Hugging Face model
// folder (Export, then tokenizer/hf.Write). A char tokenizer has no
// byte-level BPE form: train with --tokenizer byte (or a BPE encoding) to
// export.
func ExportFolder(m *transformer.Model, tok tokenizer.Tokenizer, dir, dtype string) error {
	// The tokenizer first: a char tokenizer must not leave half a folder.
	if _, err := hftokenizer.Convert(tok); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if _, err := hfConfig(m.Config, dtype); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := Export(m, dir, dtype); err != nil {
		return err
	}
	if err := hftokenizer.Write(dir, tok, m.Config.Context); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
