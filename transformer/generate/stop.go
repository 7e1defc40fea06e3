package generate

// endOfTextSpellings are how tokenizers spell the token that ends a document:
// GPT-2 and the OpenAI encodings, then Llama 3.
var endOfTextSpellings = []string{"<|endoftext|>", "<|end_of_text|>"}

// beginningOfTextSpellings are how tokenizers spell the token a document
// starts from: Llama 3 has one of its own; GPT-2 and the OpenAI encodings
// have only <|endoftext|>, which sits between the documents of the training
// text and so also stands before each one (GPT-2 starts unprompted text from
// it).
var beginningOfTextSpellings = []string{"<|begin_of_text|>", "<|endoftext|>"}

// EndOfText finds the end-of-text token of a vocabulary of the given size by
// its spelling, and reports false if there is none (char and byte
// vocabularies). Special tokens sit at the top of a vocabulary, so the search
// goes down from there; a whole vocabulary takes milliseconds.
func EndOfText(vocab int, text TokenText) (int, bool) {
	return findSpelling(vocab, text, endOfTextSpellings)
}

// BeginningOfText finds the token to start from when there is no prompt, as
// EndOfText finds the end: <|begin_of_text|> (Llama 3), else <|endoftext|>
// (GPT-2 and the OpenAI encodings). It reports false if there is none (char
// and byte vocabularies, a trained BPE vocabulary without special tokens).
func BeginningOfText(vocab int, text TokenText) (int, bool) {
	return findSpelling(vocab, text, beginningOfTextSpellings)
}

// findSpelling returns the highest id spelled as the first of spellings
// that the vocabulary has.
func findSpelling(vocab int, text TokenText, spellings []string) (int, bool) {
	for _, spelling := range spellings {
		for id := vocab - 1; id >= 0; id-- {
			if string(text(id)) == spelling {
				return id, true
			}
		}
	}
	return 0, false
}
