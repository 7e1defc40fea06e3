package align

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tick-llm/tick/internal/inputfile"
)

// pairLine is one line of a pairs file (JSON lines):
//
//	{"kind":"reverse","prompt":"reverse cat","answer":"tac","chosen":"tac","rejected":"sure, tac"}
//
// prompt, chosen and rejected are needed; kind and answer say which task
// the prompt is (the judge's business), and may be left out of a pairs
// file written by hand.
type pairLine struct {
	Kind     string  `json:"kind,omitempty"`
	Prompt   *string `json:"prompt"`
	Answer   string  `json:"answer,omitempty"`
	Chosen   *string `json:"chosen"`
	Rejected *string `json:"rejected"`
}

// WritePairs writes pairs as JSON lines, one pair a line.
func WritePairs(w io.Writer, pairs []Pair) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, p := range pairs {
		if err := enc.Encode(pairLine{Kind: p.Kind, Prompt: &p.Prompt, Answer: p.Answer, Chosen: &p.Chosen, Rejected: &p.Rejected}); err != nil {
			return err
		}
	}
	return nil
}

// maxPairsBytes bounds a pairs file: tick writes a few hundred KB.
const maxPairsBytes = 256 << 20

// ReadPairs reads a pairs file WritePairs wrote (or one written by hand).
// A line that is not JSON, lacks prompt, chosen or rejected, has one of
// them empty, or is too long for the model's context is an error naming
// the line and the field. Blank lines are skipped.
func ReadPairs(path string) ([]Pair, error) {
	info, err := inputfile.Check(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("pairs file %s does not exist: write one with tick align pairs --out %s", path, path)
		}
		return nil, fmt.Errorf("pairs file: %w", err)
	}
	if info.Size() > maxPairsBytes {
		return nil, fmt.Errorf("pairs file %s is %d bytes, more than the %d a pairs file may have", path, info.Size(), maxPairsBytes)
	}
	b, err := inputfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pairs file: %w", err)
	}
	return parsePairs(path, b)
}

func parsePairs(path string, b []byte) ([]Pair, error) {
	var pairs []Pair
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var l pairLine
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("%s line %d is not a JSON object (%v): write each pair as %s", path, n, err, pairExample)
		}
		for _, f := range []struct {
			name string
			v    *string
		}{{"prompt", l.Prompt}, {"chosen", l.Chosen}, {"rejected", l.Rejected}} {
			if f.v == nil {
				return nil, fmt.Errorf("%s line %d has no %q field: write each pair as %s", path, n, f.name, pairExample)
			}
			if *f.v == "" {
				return nil, fmt.Errorf("%s line %d has an empty %q field: each pair needs a prompt and two replies, as %s", path, n, f.name, pairExample)
			}
		}
		p := Pair{Instruction{l.Kind, *l.Prompt, l.Answer}, *l.Chosen, *l.Rejected}
		for _, r := range []struct{ name, v string }{{"chosen", p.Chosen}, {"rejected", p.Rejected}} {
			if n1 := len(PromptIDs(p.Prompt)) + len(ReplyIDs(r.v)); n1 > Context {
				return nil, fmt.Errorf("%s line %d: the prompt and the %q reply are %d tokens, more than the context of %d: shorten them", path, n, r.name, n1, Context)
			}
		}
		pairs = append(pairs, p)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("%s line %d is longer than 1 MB: a pairs file holds one short pair a line, as %s", path, n+1, pairExample)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("pairs file %s holds no pairs: write one with tick align pairs", path)
	}
	return pairs, nil
}

const pairExample = `{"prompt":"reverse cat","chosen":"tac","rejected":"sure, tac"}`
