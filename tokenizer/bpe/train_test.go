package bpe

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/split"
)

var allPatterns = []split.Pattern{split.None, split.GPT2, split.CL100K, split.O200K}

// TestTrainMatchesReference proves the fast trainer learns exactly the merges
// of the plain one, in the same order, on real and adversarial text with
// every split pattern.
func TestTrainMatchesReference(t *testing.T) {
	corpora := []struct {
		name  string
		text  []byte
		vocab int
	}{
		{"opticks", opticks(t, 0, 40_000), 256 + 500},
		{"go-sources", goSources(t, "strings", 40_000), 256 + 500},
		{"adversarial", adversarial(1, 20_000), 256 + 500},
		{"two-letters", twoLetters(2, 3_000), 256 + 400},
		{"aaaa", runs("a", 80), 256 + 200},
		{"abababa", runs("ab", 60), 256 + 200},
	}
	for _, c := range corpora {
		if c.text == nil {
			continue // the file could not be read: the test has failed saying so
		}
		for _, pat := range allPatterns {
			t.Run(c.name+"/"+pat.String(), func(t *testing.T) {
				opts := Options{VocabSize: c.vocab, Pattern: pat, Special: []string{"<|endoftext|>"}}
				want, err := TrainReference(c.text, opts)
				if err != nil {
					t.Fatalf("TrainReference: %v", err)
				}
				got, err := Train(c.text, opts)
				if err != nil {
					t.Fatalf("Train: %v", err)
				}
				if len(want.Merges) < 40 {
					t.Fatalf("only %d merges learned: the corpus is too small to test anything", len(want.Merges))
				}
				for i := range min(len(got.Merges), len(want.Merges)) {
					if got.Merges[i] != want.Merges[i] {
						t.Fatalf("merge %d: Train %v (%q), TrainReference %v (%q)", i,
							got.Merges[i], got.Tokens[got.Merges[i].ID], want.Merges[i], want.Tokens[want.Merges[i].ID])
					}
				}
				if len(got.Merges) != len(want.Merges) {
					t.Fatalf("Train learned %d merges, TrainReference %d", len(got.Merges), len(want.Merges))
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("same merges but different vocabularies")
				}
			})
		}
	}
}

// TestPublishedExample trains on the worked example of Wikipedia's "Byte
// pair encoding" article that minbpe's tests/test_tokenizer.py also uses:
// "aaabdaaabac", 3 merges, the text as one piece (split.None is minbpe's
// BasicTokenizer, which has no split pattern). minbpe's test asserts the
// IDs [258 100 258 97 99] ("XdXac"). The merges are Wikipedia's: Z = aa
// (256), Y = ab (257), X = ZY (258). minbpe's own code learns other merges
// here, (97,97), (256,97), (257,98), because it breaks the tie at the second
// merge differently (see "Tie-break" in the package doc); both give the same
// IDs for this text.
func TestPublishedExample(t *testing.T) {
	text := []byte("aaabdaaabac")
	wikipedia := []Merge{{'a', 'a', 256}, {'a', 'b', 257}, {256, 257, 258}}
	minbpeIDs := []int{258, 'd', 258, 'a', 'c'}
	for name, train := range map[string]func([]byte, Options) (*Vocab, error){"Train": Train, "TrainReference": TrainReference} {
		v, err := train(text, Options{VocabSize: 256 + 3, Pattern: split.None})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(v.Merges, wikipedia) {
			t.Errorf("%s: merges %v, Wikipedia's are %v", name, v.Merges, wikipedia)
		}
		if ids := v.EncodeReplay(text); !slices.Equal(ids, minbpeIDs) {
			t.Errorf("%s: replay gives %v, minbpe's test %v", name, ids, minbpeIDs)
		}
		enc, err := tokenizer.New("wikipedia", v.Ranks(), v.Pattern, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ids := enc.EncodeOrdinary(string(text)); !slices.Equal(ids, minbpeIDs) {
			t.Errorf("%s: the rank-file encoder gives %v, minbpe's test %v", name, ids, minbpeIDs)
		}
	}
}

// TestVocabShape checks the layout promised by Vocab: bytes first with rank
// = byte value, one token per merge spelling its two parts, distinct bytes
// for every token, and special tokens numbered after the mergeable ones.
func TestVocabShape(t *testing.T) {
	v, err := Train(adversarial(3, 20_000), Options{VocabSize: 600, Pattern: split.CL100K, Special: []string{"<|a|>", "<|b|>"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Size() != 600 || len(v.Merges) != 600-256 {
		t.Fatalf("Size %d with %d merges, want 600 and 344", v.Size(), len(v.Merges))
	}
	for b := range 256 {
		if string(v.Tokens[b]) != string([]byte{byte(b)}) {
			t.Fatalf("token %d is %q, want the byte itself", b, v.Tokens[b])
		}
	}
	for i, m := range v.Merges {
		if m.ID != 256+i || m.Left >= m.ID || m.Right >= m.ID {
			t.Fatalf("merge %d is %+v: want ID %d made of earlier tokens", i, m, 256+i)
		}
		if string(v.Tokens[m.ID]) != string(v.Tokens[m.Left])+string(v.Tokens[m.Right]) {
			t.Fatalf("token %d = %q does not spell its parts %q + %q", m.ID, v.Tokens[m.ID], v.Tokens[m.Left], v.Tokens[m.Right])
		}
	}
	if len(v.Ranks()) != v.Size() {
		t.Fatalf("%d tokens but only %d distinct byte strings", v.Size(), len(v.Ranks()))
	}
	if want := map[string]int{"<|a|>": 600, "<|b|>": 601}; !reflect.DeepEqual(v.Special, want) {
		t.Fatalf("special tokens %v, want %v", v.Special, want)
	}
}

// TestTrainErrors checks that bad input is refused with a message that says
// what to do, by both trainers.
func TestTrainErrors(t *testing.T) {
	cases := []struct {
		name string
		text string
		opts Options
		want string
	}{
		{"vocab too small", "hello", Options{VocabSize: 255}, "at least 256"},
		{"vocab zero", "hello", Options{}, "at least 256"},
		{"empty corpus", "", Options{VocabSize: 300}, "empty"},
		{"empty special", "hello", Options{VocabSize: 300, Special: []string{"<|x|>", ""}}, "special token 2 is empty"},
		{"duplicate special", "hello", Options{VocabSize: 300, Special: []string{"<|x|>", "<|x|>"}}, "given twice"},
	}
	for _, c := range cases {
		for name, train := range map[string]func([]byte, Options) (*Vocab, error){"Train": Train, "TrainReference": TrainReference} {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				v, err := train([]byte(c.text), c.opts)
				if err == nil {
					t.Fatalf("no error, vocab of %d tokens", v.Size())
				}
				if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error %q: want one line containing %q", err, c.want)
				}
			})
		}
	}
	if _, err := Train(nil, Options{VocabSize: 300}); !errors.Is(err, ErrEmptyCorpus) {
		t.Fatalf("empty corpus: %v, want ErrEmptyCorpus", err)
	}
}

// TestStopsEarly checks that a text with fewer pairs than the vocabulary
// needs gives a smaller vocabulary, not an error, and that the special
// tokens follow the tokens actually learned.
func TestStopsEarly(t *testing.T) {
	// "abcd" alone: 3 merges make it one token, then no pair is left.
	for name, train := range map[string]func([]byte, Options) (*Vocab, error){"Train": Train, "TrainReference": TrainReference} {
		v, err := train([]byte("abcd"), Options{VocabSize: 1000, Special: []string{"<|end|>"}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.Size() != 259 || string(v.Tokens[258]) != "abcd" {
			t.Fatalf("%s: size %d, last token %q; want 259 and \"abcd\"", name, v.Size(), v.Tokens[v.Size()-1])
		}
		if v.Special["<|end|>"] != 259 {
			t.Fatalf("%s: special token ID %d, want 259", name, v.Special["<|end|>"])
		}
	}
}

// TestProgress checks that the progress callback sees every merge once, in
// order, with the total asked for.
func TestProgress(t *testing.T) {
	var calls []string
	opts := Options{VocabSize: 256 + 5, Progress: func(done, total int) { calls = append(calls, fmt.Sprint(done, "/", total)) }}
	if _, err := Train([]byte("hello hello hello world"), opts); err != nil {
		t.Fatal(err)
	}
	want := []string{"1/5", "2/5", "3/5", "4/5", "5/5"}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("progress calls %v, want %v", calls, want)
	}
}

// TestHugeVocabRequest checks that asking for a billion tokens from a tiny
// text stops early instead of reserving memory for them.
func TestHugeVocabRequest(t *testing.T) {
	for name, train := range map[string]func([]byte, Options) (*Vocab, error){"Train": Train, "TrainReference": TrainReference} {
		v, err := train([]byte("hello world"), Options{VocabSize: 1 << 30})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.Size() != 256+10 {
			t.Fatalf("%s: size %d, want 266 (one token for the whole text)", name, v.Size())
		}
	}
}
