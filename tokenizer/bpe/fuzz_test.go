package bpe

import (
	"reflect"
	"slices"
	"testing"

	"github.com/tick-llm/tick/tokenizer"
)

// FuzzTrain trains both trainers on arbitrary bytes and checks that they
// learn the same merges, that no two tokens spell the same bytes, and that
// encoding with the rank file (package tokenizer, lowest rank first) equals
// replaying the merges, on the training text and on other text.
func FuzzTrain(f *testing.F) {
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaa aaaa"), []byte("aaaaaaaaaaaaaaaaaaaaaaa"), uint16(40), uint8(0))
	f.Add([]byte("abababa ababab abababababa bab"), []byte("babababababab abab"), uint16(40), uint8(1))
	f.Add([]byte("hug pug pun bun hugs hug pun"), []byte("hugs pugs"), uint16(20), uint8(2))
	f.Add([]byte("DON'T we'LL 123456 👩‍👩‍👧 日本語 \r\n\t  x"), []byte("\xff\xfe don't"), uint16(100), uint8(3))
	f.Add([]byte("aab aab aaab aaab aabaab"), []byte("aaaabaab"), uint16(60), uint8(0))
	f.Fuzz(func(t *testing.T, text, other []byte, merges uint16, pat uint8) {
		if len(text) == 0 || len(text) > 4000 || len(other) > 4000 {
			return
		}
		pattern := allPatterns[int(pat)%len(allPatterns)]
		opts := Options{VocabSize: MinVocabSize + int(merges%400), Pattern: pattern}
		want, err := TrainReference(text, opts)
		if err != nil {
			t.Fatalf("TrainReference: %v", err)
		}
		got, err := Train(text, opts)
		if err != nil {
			t.Fatalf("Train: %v", err)
		}
		if !reflect.DeepEqual(got.Merges, want.Merges) {
			t.Fatalf("Train and TrainReference differ:\n%v\n%v", got.Merges, want.Merges)
		}
		ranks := got.Ranks()
		if len(ranks) != got.Size() {
			t.Fatalf("%d tokens spell only %d distinct byte strings", got.Size(), len(ranks))
		}
		enc, err := tokenizer.New("fuzz", ranks, pattern, nil)
		if err != nil {
			t.Fatalf("tokenizer.New: %v", err)
		}
		for _, s := range [][]byte{text, other} {
			if r, e := got.EncodeReplay(s), enc.EncodeOrdinary(string(s)); !slices.Equal(r, e) {
				t.Fatalf("on %q: replay %v, rank file %v", s, r, e)
			}
		}
	})
}
