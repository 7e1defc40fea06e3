package tokenizer

import (
	"fmt"
	"runtime"
	"testing"
	"unsafe"

	"github.com/tick-llm/tick/tokenizer/split"
)

// TestNewSlots: a slot table is zeroed, as long as asked and writable to
// both ends, whether it comes from the heap (small) or is mapped on its
// own (large, on Linux; see slots_linux.go).
func TestNewSlots(t *testing.T) {
	for _, n := range []int{16, 1 << 10, 1 << 17, 1 << 19} {
		s := newSlots(&vocab{}, n)
		if len(s) != n {
			t.Fatalf("newSlots(%d) has %d slots", n, len(s))
		}
		for i, x := range s {
			if x != (slot{}) {
				t.Fatalf("newSlots(%d): slot %d is %+v, want empty", n, i, x)
			}
		}
		s[0], s[n-1] = slot{key: 1, meta: 2}, slot{key: 3, meta: 4}
		if s[0].meta != 2 || s[n-1].key != 3 {
			t.Fatalf("newSlots(%d): writes did not stick", n)
		}
	}
}

// TestSlotsOutliveOtherVocabs: a vocabulary whose table was mapped on its
// own keeps working while others are built, dropped and collected (their
// memory unmapped), so a cleanup never frees a table still in use.
func TestSlotsOutliveOtherVocabs(t *testing.T) {
	build := func(seed int) *Encoding {
		ranks := map[string]int{}
		for b := range 256 {
			ranks[string([]byte{byte(b)})] = b
		}
		for i := 0; len(ranks) < 70_000; i++ {
			ranks[fmt.Sprintf("t%d:%d", seed, i)] = len(ranks)
		}
		enc, err := New(fmt.Sprint("slots", seed), ranks, split.None, nil)
		if err != nil {
			t.Fatal(err)
		}
		if size := len(enc.vocab.slots) * int(unsafe.Sizeof(slot{})); size < 2<<20 {
			t.Fatalf("table of %d bytes: want one large enough to be mapped on its own", size)
		}
		return enc
	}
	keep := build(0)
	for seed := 1; seed <= 3; seed++ {
		build(seed)
		runtime.GC()
		runtime.GC()
	}
	v := keep.vocab
	for rank := range v.maxRankPlus1() {
		if got, ok := v.lookup(v.bytes(rank)); !ok || got != rank {
			t.Fatalf("after other vocabularies were collected, lookup(%q) = %d, %v; want %d", v.bytes(rank), got, ok, rank)
		}
	}
}
