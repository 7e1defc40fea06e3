// Package tokenizer turns text into token IDs and back, exactly as OpenAI's
// tiktoken does.
//
// An Encoding is three things:
//
//   - a pre-tokenizer (package split) that cuts text into pieces such as
//     " hello", "123" or "\n\n" so that no token ever spans two words;
//   - a table of mergeable ranks: every token is a byte string, and its rank
//     is both its ID and its priority (lower ranks were learned earlier and
//     merge first);
//   - special tokens such as <|endoftext|>, which are never produced by
//     merging and only appear when the caller allows them.
//
// Encoding a piece is byte-pair merging: start from single bytes, then
// repeatedly join the adjacent pair whose joined bytes have the lowest rank,
// until no adjacent pair is a token. See merge.go for the plain algorithm and
// the fast one used in practice.
//
// The built-in encodings r50k_base (GPT-2), p50k_base, cl100k_base (GPT-4)
// and o200k_base (GPT-4o) use the official rank files embedded in
// github.com/pkoukk/tiktoken-go-loader; Llama 3's tokenizer.model loads with
// the name "llama3:PATH".
package tokenizer
