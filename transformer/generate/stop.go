package generate

// endOfTextSpellings are how tokenizers spell the token that ends a document:
// GPT-2 and the OpenAI encodings, then Llama 3.
var endOfTextSpellings = []string{"<|endoftext|>", "<|end_of_text|>"}

// EndOfText finds the end-of-text token of a vocabulary of the given size by
// its spelling, and reports false if there is none (char and byte
// vocabularies). Special tokens sit at the top of a vocabulary, so the search
// goes down from there; a whole vocabulary takes milliseconds.
func EndOfText(vocab int, text TokenText) (int, bool) {
	for _, spelling := range endOfTextSpellings {
		for id := vocab - 1; id >= 0; id-- {
			if string(text(id)) == spelling {
				return id, true
			}
		}
	}
	return 0, false
}
