// Package safetensors reads and writes tensors in Hugging Face's safetensors
// format, the format real checkpoints (GPT-2, Llama 3, ...) are published in.
//
// A file is three parts:
//
//	8 bytes   N, the header length, an unsigned little-endian 64-bit integer
//	N bytes   a UTF-8 JSON object, starting with '{' and padded with spaces:
//	          {"__metadata__": {"key": "value", ...},
//	           "name": {"dtype": "F64", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...}
//	rest      the data section: every tensor's values, little-endian, row-major,
//	          at bytes [BEGIN, END) counted from the start of the data section
//
// The format is meant to be safe to load from a stranger, so a reader checks
// everything before it trusts it: the header is at most 100,000,000 bytes
// (the reference implementation's limit), names are unique, each tensor's
// byte range is exactly shape product x element size, and the ranges tile the
// data section with no gap, no overlap and nothing left over (so a file cannot
// smuggle other content, a "polyglot" file). Every violation is an error that
// names the problem; Decode never panics on any input (FuzzDecode).
//
// tick trains in float64, so Write stores F64. Read also accepts F32, F16 and
// BF16, converting each value exactly to float64, so published checkpoints
// load too.
package safetensors
