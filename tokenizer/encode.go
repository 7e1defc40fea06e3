package tokenizer

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Encode turns text into token IDs. Text may be any bytes, valid UTF-8 or
// not; Decode gives them back exactly. mode says what to do where the text
// spells a special token: by default (SpecialRaise) that is an error of type
// *SpecialTokenError naming it.
func (e *Encoding) Encode(text string, mode SpecialMode) ([]int, error) {
	m := e.newMerger()
	defer m.release()
	return m.encode(text, mode, make([]int, 0, len(text)/4+1))
}

// AppendEncode is Encode appending to dst: a caller that encodes many
// texts one after the other (a long input in chunks) can reuse one slice
// instead of allocating one per text. On error dst is returned unchanged.
func (e *Encoding) AppendEncode(dst []int, text string, mode SpecialMode) ([]int, error) {
	m := e.newMerger()
	defer m.release()
	out, err := m.encode(text, mode, dst)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// EncodeOrdinary encodes text with no special tokens at all: text spelling
// "<|endoftext|>" is merged like any other text.
func (e *Encoding) EncodeOrdinary(text string) []int {
	m := e.newMerger()
	defer m.release()
	return m.appendOrdinary(make([]int, 0, len(text)/4+1), text)
}

// Count returns the number of tokens Encode would return, without building
// the slice.
func (e *Encoding) Count(text string, mode SpecialMode) (int, error) {
	m := e.newMerger()
	defer m.release()
	m.sizeHint = len(text)
	count := 0
	var buf []int
	err := m.eachSegment(text, mode, func(seg string, special int) {
		if special >= 0 {
			count++
			return
		}
		b := bytesOf(seg)
		for len(b) > 0 {
			n := e.nextPiece(b)
			buf = m.mergeFast(b[:n], buf[:0])
			count += len(buf)
			b = b[n:]
		}
	})
	return count, err
}

// EncodeBatch encodes many texts in parallel on all cores
// (runtime.GOMAXPROCS). The results are in input order and identical to
// calling Encode on each text; on error it returns the error of the first
// failing text.
func (e *Encoding) EncodeBatch(texts []string, mode SpecialMode) ([][]int, error) {
	out := make([][]int, len(texts))
	errs := make([]error, len(texts))
	workers := min(runtime.GOMAXPROCS(0), len(texts))
	var next atomic.Int64 // index of the next text to take
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			m := e.newMerger()
			defer m.release()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(texts) {
					return
				}
				out[i], errs[i] = m.encode(texts[i], mode, make([]int, 0, len(texts[i])/4+1))
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// newMerger returns the scratch space of one call. An encoding whose IDs
// do not fit a pair cache's keys merges without one.
func (e *Encoding) newMerger() *merger {
	return &merger{v: e.vocab, e: e, noCache: e.vocab.maxRankPlus1()-1 > maxPairID}
}

// release gives back the merger's pair and piece caches, if it took them,
// at the end of a call.
func (m *merger) release() {
	if m.cache != nil {
		m.e.pairs.give(m.cache)
		m.cache = nil
	}
	if m.pieces != nil {
		m.pieces.release()
		m.pieces = nil
	}
}

// encode appends the tokens of text to out.
func (m *merger) encode(text string, mode SpecialMode, out []int) ([]int, error) {
	err := m.eachSegment(text, mode, func(seg string, special int) {
		if special >= 0 {
			out = append(out, special)
		} else {
			out = m.appendOrdinary(out, seg)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachSegment cuts text at the special tokens mode allows and calls f with
// each stretch of ordinary text (special = -1) and each special token (its
// id). Ordinary stretches are split independently, as in tiktoken: the split
// pattern never sees across a special token.
func (m *merger) eachSegment(text string, mode SpecialMode, f func(seg string, special int)) error {
	specials := &m.e.specials
	switch mode {
	case SpecialOrdinary:
		f(text, -1)
		return nil
	case SpecialRaise:
		if pos, tok, _ := specials.find(text); pos >= 0 {
			return &SpecialTokenError{Token: tok, Pos: pos}
		}
		f(text, -1)
		return nil
	case SpecialAllow:
	default:
		return fmt.Errorf("unknown special-token mode %d: use SpecialRaise, SpecialAllow or SpecialOrdinary", int(mode))
	}
	for len(text) > 0 {
		pos, tok, id := specials.find(text)
		if pos < 0 {
			f(text, -1)
			return nil
		}
		if pos > 0 {
			f(text[:pos], -1)
		}
		f(tok, id)
		text = text[pos+len(tok):]
	}
	return nil
}

// appendOrdinary splits text into pieces and appends each piece's tokens.
func (m *merger) appendOrdinary(out []int, text string) []int {
	m.sizeHint = max(m.sizeHint, len(text))
	b := bytesOf(text)
	for len(b) > 0 {
		n := m.e.nextPiece(b)
		out = m.mergeFast(b[:n], out)
		b = b[n:]
	}
	return out
}

// nextPiece returns the length of the first piece of b (at least 1).
func (e *Encoding) nextPiece(b []byte) int {
	n := e.pattern.Next(b)
	if n < 1 || n > len(b) {
		// Next promises 1..len(b) for non-empty text; never loop forever
		// if a scanner breaks that promise.
		n = len(b)
	}
	return n
}

// bytesOf views a string's bytes without copying. The split scanners and
// the merger only read their input, so sharing the string's memory is safe.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
