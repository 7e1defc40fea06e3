package tokenizer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer/samples"
	"github.com/tick-llm/tick/tokenizer/split"
)

// TestMergeFastMatchesReference proves the fast merger (the cached-rank scan
// for short pieces, the tournament tree and the queue for longer ones, with
// and without the pair cache, from whole characters and from bytes) gives exactly the plain algorithm's tokens, on real pieces in every
// script and on random byte strings built from few distinct bytes, which
// force long chains of merges and many ties.
func TestMergeFastMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var pieces [][]byte
	text := opticks(t, 100_000) + adversarial(8, 20_000)
	for _, s := range samples.All() {
		text += s.Text
	}
	for _, name := range Builtins() {
		pieces = append(pieces, mustGet(t, name).Pattern().Split([]byte(text))...)
	}
	alphabets := []string{"ab", "x", " ", "\n ", "0123", "^!", "😀", "é", "aab\xe4\xb8\xad", string([]byte{0x80, 0xff, 'a'})}
	for i := 0; i < 600; i++ {
		alpha := alphabets[i%len(alphabets)]
		n := 1 + r.IntN(12*smallPiece)
		if i%10 == 0 {
			n = 500 + r.IntN(1500)
		}
		b := make([]byte, n)
		for j := range b {
			b[j] = alpha[r.IntN(len(alpha))]
		}
		pieces = append(pieces, b)
	}
	for _, name := range Builtins() {
		enc := mustGet(t, name)
		m, plain := enc.newMerger(), enc.newMerger()
		plain.noCache, plain.noChars = true, true
		for _, p := range pieces {
			want := mergeReference(enc.vocab, p)
			if got := m.mergeFast(p, nil); !slices.Equal(got, want) {
				t.Fatalf("%s: mergeFast(%q) = %v, reference %v", name, clipString(string(p)), got, want)
			}
			if got := plain.mergeFast(p, nil); !slices.Equal(got, want) {
				t.Fatalf("%s: mergeFast(%q) without the pair cache, from bytes = %v, reference %v", name, clipString(string(p)), got, want)
			}
			if _, whole := enc.vocab.rank(p); whole {
				continue // the two inner mergers are only used when the piece is not a token
			}
			if got := m.mergeLarge(p, nil); !slices.Equal(got, want) {
				t.Fatalf("%s: mergeLarge(%q) = %v, reference %v", name, clipString(string(p)), got, want)
			}
			if got := m.mergeTree(p, nil); !slices.Equal(got, want) {
				t.Fatalf("%s: mergeTree(%q) = %v, reference %v", name, clipString(string(p)), got, want)
			}
			if len(p) <= smallPiece {
				if got := m.mergeSmall(p, nil); !slices.Equal(got, want) {
					t.Fatalf("%s: mergeSmall(%q) = %v, reference %v", name, clipString(string(p)), got, want)
				}
			}
		}
	}
}

// TestMergeSteps checks the traced merge that package bpe shows: replaying
// its steps from the bytes gives the tokens it returns, each step joins two
// tokens that spell its result, and with every rank allowed it gives the
// plain algorithm's tokens (tiktoken's files need no whole-piece lookup).
// With ranks limited to those below a token's own, merging the token's bytes
// stops short of it, at older tokens that spell it.
func TestMergeSteps(t *testing.T) {
	text := opticks(t, 50_000) + adversarial(13, 10_000)
	for _, name := range Builtins() {
		enc := mustGet(t, name)
		for _, p := range enc.Pattern().Split([]byte(text)) {
			var steps []MergeStep
			got := enc.MergeSteps(p, enc.VocabSize(), func(s MergeStep) { steps = append(steps, s) })
			if want := mergeReference(enc.vocab, p); !slices.Equal(got, want) {
				t.Fatalf("%s: MergeSteps(%q) = %v, mergeReference %v", name, p, got, want)
			}
			ids := make([]int, len(p))
			for i := range p {
				ids[i] = int(enc.vocab.byteRank[p[i]])
			}
			for _, s := range steps {
				if s.Pos+1 >= len(ids) || ids[s.Pos] != s.Left || ids[s.Pos+1] != s.Right ||
					string(enc.vocab.bytes(s.Result)) != string(enc.vocab.bytes(s.Left))+string(enc.vocab.bytes(s.Right)) {
					t.Fatalf("%s: piece %q: step %+v does not join parts %v", name, p, s, ids)
				}
				ids = slices.Replace(ids, s.Pos, s.Pos+2, s.Result)
			}
			if !slices.Equal(ids, got) {
				t.Fatalf("%s: piece %q: the steps give %v, MergeSteps returned %v", name, p, ids, got)
			}
			if r, ok := enc.Rank(p); ok && len(p) > 1 {
				parts := enc.MergeSteps(p, r, nil)
				joined := ""
				for _, id := range parts {
					if id >= r {
						t.Fatalf("%s: token %d %q: merging below its rank made token %d", name, r, p, id)
					}
					joined += string(enc.vocab.bytes(id))
				}
				if len(parts) < 2 || joined != string(p) {
					t.Fatalf("%s: token %d %q: merging below its rank gave %v", name, r, p, parts)
				}
			}
		}
	}
}

// hostileInputs are the inputs that make naive BPE quadratic: one piece of
// n repeated units, so every merge round rescans almost the whole piece.
func hostileInputs(n int) map[string]string {
	return map[string]string{
		"x":      strings.Repeat("x", n),
		"spaces": strings.Repeat(" ", n),
		"caret":  strings.Repeat("^", n),
		"emoji":  strings.Repeat("😀", n/4),
	}
}

// TestHostileInputs checks the hostile inputs against tiktoken-go at a size
// the O(n^2) references can afford, and the byte round trip at 1 MB, which
// the heap merger makes affordable (BenchmarkHostile measures the time).
func TestHostileInputs(t *testing.T) {
	for _, name := range Builtins() {
		enc, ref := mustGet(t, name), refEncoding(t, name)
		for kind, text := range hostileInputs(3000) {
			diffIDs(t, enc, name+"/"+kind, enc.EncodeOrdinary(text), ref.EncodeOrdinary(text))
		}
	}
	if testing.Short() {
		return
	}
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		enc := mustGet(t, name)
		for kind, text := range hostileInputs(1 << 20) {
			ids := enc.EncodeOrdinary(text)
			out, err := enc.Decode(ids)
			if err != nil || string(out) != text {
				t.Errorf("%s/%s: 1 MB round trip failed (%d tokens, %v)", name, kind, len(ids), err)
			}
		}
	}
}

// BenchmarkHostile times 1 MB of each hostile input; each must take well
// under a second.
func BenchmarkHostile(b *testing.B) {
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		enc := mustGet(b, name)
		for _, kind := range []string{"x", "spaces", "caret", "emoji"} {
			text := hostileInputs(1 << 20)[kind]
			b.Run(name+"/"+kind, func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					enc.EncodeOrdinary(text)
				}
			})
		}
	}
}

// TestMergeShuffledRanks: the fast merger must follow the reference even
// for a vocabulary whose ranks are in no BPE training order (a longer token
// may rank below its parts), which exercises every path of joinQueue.
func TestMergeShuffledRanks(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var toks []string
	var grow func(prefix string)
	grow = func(prefix string) {
		if len(prefix) >= 2 {
			toks = append(toks, prefix)
		}
		if len(prefix) < 6 {
			for _, c := range "abc" {
				grow(prefix + string(c))
			}
		}
	}
	grow("")
	for seed := range 5 {
		ranks := byteRanks()
		// A random subset of the strings over {a,b,c}, in random rank order.
		perm := r.Perm(len(toks))
		for i, j := range perm[:len(toks)/2] {
			ranks[toks[j]] = 256 + i
		}
		enc, err := New(fmt.Sprint("shuffled", seed), ranks, split.None, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := enc.newMerger()
		for range 150 {
			p := make([]byte, 2+r.IntN(200))
			for i := range p {
				p[i] = "abc"[r.IntN(3)]
			}
			want := mergeReference(enc.vocab, p)
			if _, whole := enc.vocab.rank(p); !whole {
				if got := m.mergeLarge(p, nil); !slices.Equal(got, want) {
					t.Fatalf("seed %d: mergeLarge(%q) = %v, reference %v", seed, p, got, want)
				}
				if got := m.mergeTree(p, nil); !slices.Equal(got, want) {
					t.Fatalf("seed %d: mergeTree(%q) = %v, reference %v", seed, p, got, want)
				}
				if len(p) <= smallPiece {
					if got := m.mergeSmall(p, nil); !slices.Equal(got, want) {
						t.Fatalf("seed %d: mergeSmall(%q) = %v, reference %v", seed, p, got, want)
					}
				}
			}
			if got := m.mergeFast(p, nil); !slices.Equal(got, want) {
				t.Fatalf("seed %d: mergeFast(%q) = %v, reference %v", seed, p, got, want)
			}
		}
	}
}
