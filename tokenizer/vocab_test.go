package tokenizer

import (
	"math/rand/v2"
	"testing"

	"github.com/tick-llm/tick/tokenizer/samples"
)

// TestLookupMatchesRank: the filtered lookup the merger uses gives the
// plain table's answer on every token of every built-in encoding, and on
// byte strings that are mostly not tokens (substrings of real text in every
// script, and random bytes), where the filter does its work.
func TestLookupMatchesRank(t *testing.T) {
	var text []byte
	for _, s := range samples.All() {
		text = append(text, s.Text...)
	}
	text = append(text, opticks(t, 50_000)...)
	r := rand.New(rand.NewPCG(3, 4))
	for _, name := range Builtins() {
		v := mustGet(t, name).vocab
		for rank := range v.maxRankPlus1() {
			tok := v.bytes(rank)
			if len(tok) == 0 {
				continue
			}
			if got, ok := v.lookup(tok); !ok || got != rank {
				t.Fatalf("%s: lookup(%q) = %d, %v; want %d", name, tok, got, ok, rank)
			}
		}
		notTokens, passed := 0, 0
		const tries = 200_000
		for i := range tries {
			var b []byte
			if i%2 == 0 {
				at := r.IntN(len(text) - 40)
				b = text[at : at+2+r.IntN(38)]
			} else {
				b = make([]byte, 1+r.IntN(12))
				for j := range b {
					b[j] = byte(r.UintN(256))
				}
			}
			want, wok := v.rank(b)
			got, gok := v.lookup(b)
			if got != want || gok != wok {
				t.Fatalf("%s: lookup(%q) = %d, %v; rank says %d, %v", name, b, got, gok, want, wok)
			}
			if !wok {
				notTokens++
				if w, bits := v.filterWord(hashKey(load8(b), b)); *w&bits == bits {
					passed++
				}
			}
		}
		// A filter that lets everything through would still be correct,
		// and useless: each string it lets through costs a probe of the
		// slots. Three bits of 32 per token in one word let about 2% of
		// the rest through (one bit: about 10%).
		if rate := float64(passed) / float64(notTokens); rate > 0.04 {
			t.Errorf("%s: the filter let %d of %d strings that are not tokens through (%.1f%%), want at most 4%%", name, passed, notTokens, 100*rate)
		}
		t.Logf("%s: the filter let %.2f%% of %d strings that are not tokens through", name, 100*float64(passed)/float64(notTokens), notTokens)
	}
}
