package tokenizer

// EncodingOf returns the Encoding behind a Tokenizer made by ForEncoding
// (a built-in encoding, a .tiktoken file, Llama 3's tokenizer.model), and
// false for any other Tokenizer. Exporters use it to write the encoding in
// another format.
func EncodingOf(t Tokenizer) (*Encoding, bool) {
	et, ok := t.(encodingTokenizer)
	if !ok {
		return nil, false
	}
	return et.enc, true
}
