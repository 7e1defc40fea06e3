// Package hf reads and writes the tokenizer of a Hugging Face model folder,
// so that tick can run a published model (GPT-2, Llama 3) with exactly the
// token IDs its weights were trained on, and hand its own models to the
// PyTorch world with a tokenizer Hugging Face loads.
//
// A Hugging Face folder describes its tokenizer in tokenizer.json. tick
// reads the byte-level BPE kind that GPT-2, Llama 3 and tiktoken
// conversions use:
//
//   - a pre-tokenizer that cuts text into pieces with one of the regular
//     expressions tick's scanners implement (package split: GPT-2's, cl100k
//     and Llama 3's, o200k's), then maps every byte to a printable character
//     (GPT-2's byte-to-unicode alphabet, so "Ġ" is a space);
//   - a vocabulary (token string -> ID) and a list of merges ("Ġ t" joins
//     "Ġ" and "t"), in priority order;
//   - added tokens such as <|endoftext|> with their IDs.
//
// Hugging Face's BPE is not tiktoken's. tiktoken joins, in each round, the
// adjacent pair whose joined bytes are the token of lowest rank (the rank is
// the ID). Hugging Face looks the pair of token IDs up in its merges and
// joins the pair whose merge comes first in the list; the ID of the result
// comes from the vocabulary. The two agree when the merges list is what
// Hugging Face's converter makes from a tiktoken file (every split of every
// token, ordered by the rank of the result), and ignore_merges lets a piece
// that is itself a token stand whole, as tiktoken does. This package
// implements Hugging Face's rule, and its tests prove the agreement on the
// r50k, cl100k and o200k rank data.
package hf
