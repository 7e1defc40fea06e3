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
		rejected := 0
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
			if !wok && v.filter[(hashKey(load8(b), b)&v.filterMask)/64]&(1<<(hashKey(load8(b), b)&63)) == 0 {
				rejected++
			}
		}
		// A filter that lets everything through would still be correct,
		// and useless: most of these strings are not tokens.
		if rejected < tries/4 {
			t.Errorf("%s: the filter rejected only %d of %d strings", name, rejected, tries)
		}
	}
}
