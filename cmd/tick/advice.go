package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer/sample"
)

// The libraries' errors advise a Go caller: they name Go options (TopP,
// SpecialAllow) and functions (Load). flagAdvice turns the ones a user
// meets into one line of advice that names tick's flags and commands;
// other errors pass through unchanged.
func flagAdvice(err error) error {
	var option *sample.OptionError
	var special *tokenizer.SpecialTokenError
	var sidecar *tokenizer.SidecarError
	var rankFile *tokenizer.RankFileError
	var mismatch *tokenizer.SidecarMismatchError
	switch {
	case errors.As(err, &mismatch):
		return fmt.Errorf("rank file %s and its sidecar %s do not belong together (the sidecar records the SHA-256 of another rank file: a save was interrupted, or one file was replaced alone): train it again with 'tick bpe train --out %s', or delete \"rank_file_sha256\" from the sidecar if you changed the rank file on purpose", mismatch.RankFile, mismatch.Sidecar, mismatch.RankFile)
	case errors.As(err, &option) && sampleFlags[option.Option] != "":
		return fmt.Errorf("%s %v is out of range: %s", sampleFlags[option.Option], option.Value, option.Want)
	case errors.As(err, &special):
		return fmt.Errorf("text contains special token %s at byte %d: pass --special allow to encode it as that token or --special ordinary to encode it as plain text", special.Token, special.Pos)
	case errors.As(err, &sidecar) && errors.Is(sidecar.Err, fs.ErrNotExist):
		return fmt.Errorf("%s has no sidecar %s: give its split pattern with --pattern gpt2|cl100k|o200k|none, or write the sidecar, e.g. %s", sidecar.RankFile, sidecar.Path, tokenizer.SidecarExample)
	case errors.As(err, &sidecar):
		return fmt.Errorf("sidecar %s is not valid JSON (%v): fix it to read like %s, or delete it and pass --pattern", sidecar.Path, sidecar.Err, tokenizer.SidecarExample)
	case errors.As(err, &rankFile) && errors.Is(rankFile.Err, fs.ErrNotExist):
		return fmt.Errorf("rank file %s does not exist: check the path, or train one with 'tick bpe train --out %s'", rankFile.Path, rankFile.Path)
	case errors.As(err, &rankFile):
		return fmt.Errorf("%s is not a usable tiktoken rank file: %v; check that it is a .tiktoken file (lines of \"base64(token) rank\") or retrain it with 'tick bpe train'", rankFile.Path, rankFile.Err)
	}
	return err
}

// sampleFlags are the flags that set each field of sample.Options.
var sampleFlags = map[string]string{"Temperature": "--temperature", "TopK": "--top-k", "TopP": "--top-p"}
