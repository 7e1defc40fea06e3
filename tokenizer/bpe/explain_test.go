package bpe

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/split"
)

// checkTree checks a merge tree against the token it explains: its bytes
// are the token's, each internal node is made of exactly two parts of lower
// rank that spell it, and the leaves are single bytes that concatenate to the
// token. It returns the leaves' bytes.
func checkTree(t *testing.T, enc *tokenizer.Encoding, n *Node) []byte {
	t.Helper()
	want, err := enc.TokenBytes(n.ID)
	if err != nil || !bytes.Equal(n.Bytes, want) {
		t.Fatalf("node %d has bytes %q, the encoding says %q (%v)", n.ID, n.Bytes, want, err)
	}
	if len(n.Parts) == 0 {
		if len(n.Bytes) != 1 {
			t.Fatalf("leaf %d is %q, not a single byte", n.ID, n.Bytes)
		}
		return n.Bytes
	}
	if len(n.Parts) != 2 {
		t.Fatalf("token %d %q splits into %d parts, want 2", n.ID, n.Bytes, len(n.Parts))
	}
	var leaves, spelled []byte
	for _, p := range n.Parts {
		if p.ID >= n.ID {
			t.Fatalf("token %d %q has part %d %q of no lower rank", n.ID, n.Bytes, p.ID, p.Bytes)
		}
		spelled = append(spelled, p.Bytes...)
		leaves = append(leaves, checkTree(t, enc, p)...)
	}
	if !bytes.Equal(spelled, n.Bytes) {
		t.Fatalf("token %d %q: parts spell %q", n.ID, n.Bytes, spelled)
	}
	return leaves
}

// TestMergeTreeOfficial recovers the merge tree of every token of the
// official encodings and checks each one (a few seconds).
func TestMergeTreeOfficial(t *testing.T) {
	for _, name := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		t.Run(name, func(t *testing.T) {
			enc, err := tokenizer.Get(name)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for id := range enc.VocabSize() {
				b, err := enc.TokenBytes(id)
				if err != nil {
					continue // an ID with no token (o200k has a gap before its specials)
				}
				if r, ok := enc.Rank(b); !ok || r != id {
					continue // a special token
				}
				tree, err := MergeTree(enc, id)
				if err != nil {
					t.Fatalf("MergeTree(%d): %v", id, err)
				}
				if leaves := checkTree(t, enc, tree); !bytes.Equal(leaves, b) {
					t.Fatalf("token %d %q: leaves spell %q", id, b, leaves)
				}
				n++
			}
			if n < 50_000 {
				t.Fatalf("only %d tokens checked", n)
			}
		})
	}
}

// TestMergeTreeSpecial checks that a special token is refused by name.
func TestMergeTreeSpecial(t *testing.T) {
	enc, err := tokenizer.Get("cl100k_base")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MergeTree(enc, enc.SpecialTokens()["<|endoftext|>"]); err == nil {
		t.Fatal("no error for a special token")
	}
	if _, err := MergeTree(enc, -1); err == nil {
		t.Fatal("no error for ID -1")
	}
}

// TestExplainReplays replays the steps Explain reports on each piece and
// checks they give exactly what the encoder gives, on real and hostile text.
func TestExplainReplays(t *testing.T) {
	texts := [][]byte{opticks(t, 200_000, 20_000), goSources(t, "bufio", 20_000), adversarial(21, 20_000),
		[]byte("How does tokenization work? DON'T ask 12345 times 🙂!")}
	for _, name := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		enc, err := tokenizer.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		for ti, text := range texts {
			pieces, err := Explain(enc, string(text))
			if err != nil {
				t.Fatal(err)
			}
			var all []int
			for _, pc := range pieces {
				ids := make([]int, len(pc.Text))
				for i := range pc.Text {
					ids[i], _ = enc.Rank(pc.Text[i : i+1])
				}
				for _, s := range pc.Steps {
					if s.Pos+1 >= len(ids) || ids[s.Pos] != s.Left || ids[s.Pos+1] != s.Right {
						t.Fatalf("%s text %d piece %q: step %+v does not match parts %v", name, ti, pc.Text, s, ids)
					}
					ids = slices.Replace(ids, s.Pos, s.Pos+2, s.Result)
				}
				want := enc.EncodeOrdinary(string(pc.Text))
				if !slices.Equal(ids, want) || !slices.Equal(pc.IDs, want) {
					t.Fatalf("%s text %d piece %q: steps give %v, IDs %v, encoder %v", name, ti, pc.Text, ids, pc.IDs, want)
				}
				all = append(all, pc.IDs...)
			}
			if want := enc.EncodeOrdinary(string(text)); !slices.Equal(all, want) {
				t.Fatalf("%s text %d: pieces give %d tokens, encoder %d", name, ti, len(all), len(want))
			}
		}
	}
}

// TestExplainLongPiece checks that a piece too long to show is refused
// with a one-line error instead of taking quadratic time, and that a long
// text of short pieces is fine.
func TestExplainLongPiece(t *testing.T) {
	enc, err := tokenizer.Get("cl100k_base")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Explain(enc, strings.Repeat("x", 1<<20)); err == nil || !strings.Contains(err.Error(), "shorter text") {
		t.Fatalf("1 MB of x: error %v, want one asking for a shorter text", err)
	}
	pieces, err := Explain(enc, strings.Repeat("word ", 20_000))
	if err != nil || len(pieces) != 20_001 { // "word", then " word" 19,999 times, then " "
		t.Fatalf("20,000 short words: %d pieces, error %v", len(pieces), err)
	}
}

// TestExplainIrregular uses a rank file not made by BPE training: "abc" is
// a token but neither "ab" nor "bc" is, so merging cannot reach it. The
// encoder finds it by whole-piece lookup (as Llama 3 needs), Explain says so,
// and its merge tree has the three bytes as parts.
func TestExplainIrregular(t *testing.T) {
	ranks := map[string]int{"abc": 256}
	for b := range 256 {
		ranks[string([]byte{byte(b)})] = b
	}
	enc, err := tokenizer.New("irregular", ranks, split.None, nil)
	if err != nil {
		t.Fatal(err)
	}
	pieces, err := Explain(enc, "abc")
	if err != nil {
		t.Fatal(err)
	}
	want := enc.EncodeOrdinary("abc")
	if len(pieces) != 1 || !pieces[0].Lookup || !slices.Equal(pieces[0].IDs, want) || len(pieces[0].Steps) != 0 {
		t.Fatalf("Explain(abc) = %+v, want a lookup giving %v with no merge steps", pieces, want)
	}
	tree, err := MergeTree(enc, 256)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Parts) != 3 || tree.Parts[0].ID != 'a' || tree.Parts[2].ID != 'c' {
		t.Fatalf("tree of abc has parts %+v, want the bytes a, b, c", tree.Parts)
	}
}
