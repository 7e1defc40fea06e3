package tokenizer

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// maxRank bounds the ranks a rank file may use. Real vocabularies have at
// most a few hundred thousand tokens; the bound stops a typo such as
// "IQ== 99999999999" from allocating gigabytes.
const maxRank = 1<<24 - 1

// rankLine is one parsed line of a rank file: the token's bytes live in a
// shared slab at [off, end).
type rankLine struct {
	rank     int
	off, end int
	line     int // 1-based line number, for error messages
}

// parseRankFile parses the tiktoken rank format: one "base64(token) rank"
// per line, blank lines ignored (as tiktoken's load_tiktoken_bpe does). It
// returns the concatenated token bytes and one rankLine per token, in file
// order, after checking for malformed lines and duplicates.
func parseRankFile(data []byte) (slab []byte, lines []rankLine, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, errors.New("rank file is empty: expected lines of \"base64(token) rank\"")
	}
	// Base64 is 4 bytes per 3, so the decoded tokens fit in 3/4 of the file.
	slab = make([]byte, 0, len(data)*3/4+16)
	lines = make([]rankLine, 0, bytes.Count(data, []byte{'\n'})+1)
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			continue
		}
		sp := bytes.IndexByte(line, ' ')
		if sp <= 0 || sp == len(line)-1 || bytes.IndexByte(line[sp+1:], ' ') >= 0 {
			return nil, nil, fmt.Errorf("line %d is %q, not \"base64(token) rank\"", lineNo, clip(line))
		}
		rank, err := strconv.Atoi(string(line[sp+1:]))
		if err != nil || rank < 0 || rank > maxRank {
			return nil, nil, fmt.Errorf("line %d: rank %q is not a whole number between 0 and %d", lineNo, clip(line[sp+1:]), maxRank)
		}
		off := len(slab)
		slab = slab[:off+base64.StdEncoding.DecodedLen(sp)]
		n, err := base64.StdEncoding.Decode(slab[off:], line[:sp])
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: token %q is not valid base64 (%w)", lineNo, clip(line[:sp]), err)
		}
		if n == 0 {
			return nil, nil, fmt.Errorf("line %d: token is empty; every token needs at least one byte", lineNo)
		}
		slab = slab[:off+n]
		lines = append(lines, rankLine{rank: rank, off: off, end: off + n, line: lineNo})
	}
	if len(lines) == 0 {
		return nil, nil, errors.New("rank file is empty: expected lines of \"base64(token) rank\"")
	}
	return slab, lines, nil
}

// clip shortens b for an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// ParseRanks reads a tiktoken rank file ("base64(token) rank" per line) into
// a map from token bytes to rank. Errors name the offending line.
func ParseRanks(r io.Reader) (map[string]int, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read rank file: %w", err)
	}
	slab, lines, err := parseRankFile(data)
	if err != nil {
		return nil, err
	}
	ranks := make(map[string]int, len(lines))
	seenRank := make(map[int]int, len(lines))
	for _, l := range lines {
		tok := string(slab[l.off:l.end])
		if prev, ok := seenRank[l.rank]; ok {
			return nil, fmt.Errorf("line %d: rank %d already used on line %d; each rank must appear once", l.line, l.rank, prev)
		}
		if _, ok := ranks[tok]; ok {
			return nil, fmt.Errorf("line %d: token %q appears twice; each token must appear once", l.line, tok)
		}
		seenRank[l.rank] = l.line
		ranks[tok] = l.rank
	}
	return ranks, nil
}

// WriteRanks writes ranks in the tiktoken format, one "base64(token) rank"
// line per token sorted by rank, so the output is the same on every run.
func WriteRanks(w io.Writer, ranks map[string]int) error {
	type entry struct {
		tok  string
		rank int
	}
	entries := make([]entry, 0, len(ranks))
	for tok, rank := range ranks {
		entries = append(entries, entry{tok, rank})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return bytes.Compare([]byte(a.tok), []byte(b.tok))
	})
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, e := range entries {
		buf = base64.StdEncoding.AppendEncode(buf[:0], []byte(e.tok))
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, int64(e.rank), 10)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("write ranks: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write ranks: %w", err)
	}
	return nil
}
