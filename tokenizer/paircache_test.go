package tokenizer

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/tick-llm/tick/tokenizer/samples"
	"github.com/tick-llm/tick/tokenizer/split"
)

// TestPairSlotPacking checks that a slot gives back exactly the rank it was
// made with, "no token" included, for the largest IDs and ranks that fit,
// and answers nothing for any other pair (an empty slot included).
func TestPairSlotPacking(t *testing.T) {
	ids := []int32{0, 1, 255, 200_018, maxPairID - 1, maxPairID}
	ranks := []int32{0, 1, 100_000, maxPairID, noRank}
	for _, l := range ids {
		for _, r := range ids {
			key := pairKey(l, r)
			for _, rank := range ranks {
				s := pairSlotOf(key, rank)
				if got, ok := s.get(key); !ok || got != rank {
					t.Fatalf("pair (%d, %d) rank %d: slot gives %d, %v", l, r, rank, got, ok)
				}
				for _, l2 := range ids {
					for _, r2 := range ids {
						if (l2 != l || r2 != r) && func() bool { _, ok := s.get(pairKey(l2, r2)); return ok }() {
							t.Fatalf("slot of pair (%d, %d) answers for pair (%d, %d)", l, r, l2, r2)
						}
					}
				}
			}
			if _, ok := pairSlot(0).get(key); ok {
				t.Fatalf("an empty slot answers for pair (%d, %d)", l, r)
			}
		}
	}
}

// TestPairCacheAcrossCalls: the pair caches an Encoding hands from call to
// call only ever hold true answers, so encoding text after text (every
// script, then random bytes, then the scripts again, alternating with
// dropped caches) gives the IDs of merging without a cache each time. A
// tiny cache carried through all the texts by one merger, overwritten
// thousands of times, does too.
func TestPairCacheAcrossCalls(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var texts []string
	for _, s := range samples.All() {
		texts = append(texts, s.Text)
	}
	junk := make([]byte, 20_000)
	for i := range junk {
		junk[i] = byte(r.UintN(256))
	}
	texts = append(texts, string(junk))
	texts = append(texts, texts...)
	for _, name := range Builtins() {
		enc := mustGet(t, name)
		tiny := enc.newMerger()
		tiny.cache = newPairCache(0)
		for i, text := range texts {
			plain := enc.newMerger()
			plain.noCache = true
			want := plain.appendOrdinary(nil, text)
			if i%5 == 4 {
				enc.DropPairCaches()
			}
			diffIDs(t, enc, name+" EncodeOrdinary after earlier texts", enc.EncodeOrdinary(text), want)
			diffIDs(t, enc, name+" one tiny cache through all texts", tiny.appendOrdinary(nil, text), want)
		}
	}
}

// TestDropPairCachesWhileEncoding drops an Encoding's pair caches over and
// over while EncodeBatch runs on every core (the race detector watches this
// in make test): the IDs stay those of a call with no earlier calls.
func TestDropPairCachesWhileEncoding(t *testing.T) {
	enc := mustGet(t, "o200k_base")
	var texts []string
	for _, s := range samples.All() {
		texts = append(texts, s.Text, s.Text[:len(s.Text)/2])
	}
	want := make([][]int, len(texts))
	for i, text := range texts {
		plain := enc.newMerger()
		plain.noCache = true
		want[i] = plain.appendOrdinary(nil, text)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				enc.DropPairCaches()
			}
		}
	})
	for range 3 {
		got, err := enc.EncodeBatch(texts, SpecialOrdinary)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("text %d: EncodeBatch while caches are dropped differs from merging without a cache", i)
			}
		}
	}
	close(stop)
	wg.Wait()
}

// TestHugeVocabMergesWithoutPairCache: an encoding whose largest rank does
// not fit a pair cache's keys merges without one, and still merges right.
func TestHugeVocabMergesWithoutPairCache(t *testing.T) {
	ranks := byteRanks()
	ranks["ab"] = 256
	ranks["abc"] = maxPairID + 5 // beyond what a key holds
	ranks["abcd"] = maxPairID + 6
	enc, err := New("huge", ranks, split.None, nil) // the whole text is one piece
	if err != nil {
		t.Fatal(err)
	}
	if m := enc.newMerger(); !m.noCache {
		t.Fatalf("largest rank %d: newMerger uses a pair cache, whose keys hold IDs up to %d", maxPairID+6, maxPairID)
	}
	got := enc.EncodeOrdinary("abcd abcde xabcdx")
	want := []int{maxPairID + 6, int(' '), maxPairID + 6, int('e'), int(' '), int('x'), maxPairID + 6, int('x')}
	if !slices.Equal(got, want) {
		t.Fatalf("EncodeOrdinary = %v, want %v", got, want)
	}
}
