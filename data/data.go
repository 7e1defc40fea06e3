// Package data is the text a model learns from: where it comes from (a
// file, or by default Newton's Opticks, which ships with Go), the split of
// its tokens into a training part and a validation part the model never
// trains on, and the windows of tokens a model is scored on.
//
// Training (package train) and evaluation (package eval) both read text and
// split it here, so that a validation loss measured after training is
// measured on exactly the tokens held out during it.
package data

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tick-llm/tick/internal/goroot"
	"github.com/tick-llm/tick/internal/inputfile"
	"github.com/tick-llm/tick/internal/memory"
)

// embedded is a few KB of public-domain English (Lincoln, Austen, the
// Declaration of Independence, Genesis in the King James Version), used
// when Go's copy of Newton's Opticks is not installed.
//
//go:embed corpus/default.txt
var embedded string

// EmbeddedName is how the embedded text is named in messages and in a
// run's saved options.
const EmbeddedName = "(embedded public-domain sample)"

// Default returns the text used when no file is named: Newton's Opticks
// (public domain, 567 KB), which every Go installation ships as
// $GOROOT/src/testdata/Isaac.Newton-Opticks.txt, else the small embedded
// text. name is the path read, or EmbeddedName.
func Default() (name string, text []byte) {
	if path, b, err := goroot.Opticks(); err == nil && len(b) > 0 {
		return path, b
	}
	return EmbeddedName, []byte(embedded)
}

// Read returns the text of the file name: the default text when name is ""
// or EmbeddedName, else the file, which must exist, be a regular file (not
// a device such as /dev/zero, a FIFO or a folder, which never end or are
// no text) and not be empty, and fit in memory with its tokens (see
// BytesPerByte).
func Read(name string) (string, []byte, error) {
	if name == "" {
		n, b := Default()
		return n, b, nil
	}
	if name == EmbeddedName {
		return name, []byte(embedded), nil
	}
	st, err := inputfile.Check(name)
	if err == nil {
		if err = memory.Check(BytesPerByte * float64(st.Size())); err != nil {
			return "", nil, fmt.Errorf("data file %s is %s: reading and tokenizing it %v; use a smaller file", name, memory.Format(float64(st.Size())), err)
		}
		var b []byte
		if b, err = inputfile.ReadFile(name); err == nil {
			if len(b) == 0 {
				return "", nil, fmt.Errorf("data file %s is empty; give a text file with at least a few KB of text", name)
			}
			return name, b, nil
		}
	}
	var nr *inputfile.NotRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil, fmt.Errorf("data file %s does not exist: check the path, or leave out --data to use Newton's Opticks", name)
	case errors.As(err, &nr):
		return "", nil, fmt.Errorf("data file %s is not a regular file (%s): give a text file", name, inputfile.Kind(nr.Mode))
	}
	return "", nil, fmt.Errorf("data file %s cannot be read: %w; check the path", name, err)
}

// CheckSaved reports, for a text a run recorded (saved) rather than one a
// user named, that the file is gone, in words that do not blame a --data
// flag nobody typed. Other names, and files that exist, are left to Read.
func CheckSaved(name, saved string) error {
	if name == "" || name == EmbeddedName || !samePath(name, saved) {
		return nil
	}
	if _, err := os.Stat(name); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the text it trained on, %s, is no longer there: put the file back, or give its new path with --data FILE", name)
	}
	return nil
}

// samePath reports whether a and b name the same path (a run records both
// the name as given and its absolute form).
func samePath(a, b string) bool {
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return a == b || errA == nil && errB == nil && absA == absB
}

// BytesPerByte is the memory a text needs per byte, at least, while it is
// read and tokenized: the bytes read, the string the tokenizer reads, and
// its tokens (8 bytes each; even a BPE vocabulary makes a token of every
// 4 bytes or so, a char or byte tokenizer one of every byte or character).
// Read refuses a file that cannot fit even so.
const BytesPerByte = 1 + 1 + 8.0/4

// Split cuts a token stream into training and validation parts: the last
// valFrac of the tokens is validation. The model never trains on validation
// tokens, so its loss there measures generalisation, not memory. Each part
// must hold at least one window of context+1 tokens.
func Split(tokens []int, valFrac float64, context int) (trainPart, valPart []int, err error) {
	if !(valFrac > 0 && valFrac < 1) { // written so that NaN fails too
		return nil, nil, fmt.Errorf("--val-frac %g must be between 0 and 1 (exclusive)", valFrac)
	}
	nVal := int(float64(len(tokens)) * valFrac)
	nTrain := len(tokens) - nVal
	need := context + 1
	if nTrain < need || nVal < need {
		return nil, nil, fmt.Errorf("the text is too short: %d tokens split into %d training and %d validation tokens, but each part needs at least one window of context+1 = %d tokens; use a longer file or a smaller --context",
			len(tokens), nTrain, nVal, need)
	}
	return tokens[:nTrain], tokens[nTrain:], nil
}

// Window is one window of a token stream: the model reads
// tokens[Start:Start+Len] and is scored on tokens[Start+1:Start+Len+1].
type Window struct{ Start, Len int }

// Tiling covers every token of a stream of n tokens but the first exactly
// once as a target: windows of T tokens side by side, the last one shorter.
func Tiling(n, T int) []Window {
	var ws []Window
	for s := 0; s < n-1; s += T {
		ws = append(ws, Window{Start: s, Len: min(T, n-1-s)})
	}
	return ws
}
