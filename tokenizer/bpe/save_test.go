package bpe

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/tokenizer/split"
)

// TestSaveLoadEqualsReplay saves trained vocabularies, loads them back with
// the tokenizer package (which knows nothing of merges: it joins the pair of
// lowest rank) and checks that encoding held-out text gives exactly the IDs
// of replaying the merges in order. The corpora are the ones where two pairs
// could spell the same bytes, if that could happen.
func TestSaveLoadEqualsReplay(t *testing.T) {
	cases := []struct {
		name        string
		train, test []byte
		vocab       int
	}{
		{"opticks", opticks(t, 0, 30_000), opticks(t, 100_000, 30_000), 256 + 600},
		{"adversarial", adversarial(11, 20_000), adversarial(12, 20_000), 256 + 600},
		{"two-letters", twoLetters(13, 4_000), twoLetters(14, 4_000), 256 + 800},
		{"aaaa", runs("a", 60), runs("a", 200), 256 + 200},
		{"abababa", runs("ab", 50), append(runs("ab", 150), runs("ba", 100)...), 256 + 200},
	}
	for _, c := range cases {
		if c.train == nil {
			continue // Opticks could not be read: the test has failed saying so
		}
		for _, pat := range allPatterns {
			t.Run(c.name+"/"+pat.String(), func(t *testing.T) {
				v, err := Train(c.train, Options{VocabSize: c.vocab, Pattern: pat, Special: []string{"<|endoftext|>"}})
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(t.TempDir(), "v.tiktoken")
				if err := v.Save(path); err != nil {
					t.Fatal(err)
				}
				enc, err := tokenizer.Get(path)
				if err != nil {
					t.Fatalf("load back: %v", err)
				}
				if enc.Pattern() != pat {
					t.Fatalf("pattern %v after loading, want %v", enc.Pattern(), pat)
				}
				if want := map[string]int{"<|endoftext|>": v.Size()}; !reflect.DeepEqual(enc.SpecialTokens(), want) {
					t.Fatalf("special tokens %v after loading, want %v", enc.SpecialTokens(), want)
				}
				// The merge trees recovered from the rank file alone are the
				// merges that were learned.
				for _, m := range v.Merges {
					tree, err := MergeTree(enc, m.ID)
					if err != nil {
						t.Fatal(err)
					}
					if len(tree.Parts) != 2 || tree.Parts[0].ID != m.Left || tree.Parts[1].ID != m.Right {
						t.Fatalf("merge %+v: tree from the rank file has parts %v", m, tree.Parts)
					}
				}
				for _, text := range [][]byte{c.test, c.train} {
					want := v.EncodeReplay(text)
					got := enc.EncodeOrdinary(string(text))
					if i := firstDiff(got, want); i >= 0 {
						t.Fatalf("token %d: rank file gives %v, replaying merges gives %v", i, got[i:min(i+5, len(got))], want[i:min(i+5, len(want))])
					}
				}
			})
		}
	}
}

func firstDiff(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// TestSaveFiles checks the two files byte for byte against the formats:
// "base64 rank" lines in rank order, and the JSON sidecar; and that no
// temporary file is left behind.
func TestSaveFiles(t *testing.T) {
	v, err := Train([]byte("hello hello hello"), Options{VocabSize: 258, Pattern: split.CL100K, Special: []string{"<|endoftext|>"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.tiktoken")
	if err := v.Save(path); err != nil {
		t.Fatal(err)
	}
	ranks, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(ranks), "\n"), "\n")
	// Worked by hand: he, el, ll, lo each occur 3 times; the tie goes to the
	// smallest left ID, 'e' (101), so "el" (base64 "ZWw=") is first. Then
	// h+el, el+l, l+o tie at 3 and 'h' (104) wins: "hel" ("aGVs").
	if len(lines) != 258 || lines[0] != "AA== 0" || lines[256] != "ZWw= 256" || lines[257] != "aGVs 257" {
		t.Fatalf("rank file has %d lines, first %q, last two %q", len(lines), lines[0], lines[256:])
	}
	side, err := os.ReadFile(strings.TrimSuffix(path, ".tiktoken") + ".json")
	if err != nil {
		t.Fatal(err)
	}
	// The sidecar records the SHA-256 of the rank file as it is on disk.
	sum := sha256.Sum256(ranks)
	want := `{"pattern":"cl100k","special_tokens":{"<|endoftext|>":258},"rank_file_sha256":"` + hex.EncodeToString(sum[:]) + `"}`
	if got := strings.Join(strings.Fields(string(side)), ""); got != want {
		t.Fatalf("sidecar %s", side)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"tiny.json", "tiny.tiktoken"}) {
		t.Fatalf("folder holds %v, want only the two files", names)
	}
}

// TestSaveErrors checks the one-line errors for a bad path.
func TestSaveErrors(t *testing.T) {
	v, err := Train([]byte("hello"), Options{VocabSize: 257})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{filepath.Join(t.TempDir(), "no", "such", "dir", "v.tiktoken"), "check that the folder exists"},
		{filepath.Join(t.TempDir(), "v.txt"), "should end in .tiktoken"},
	} {
		err := v.Save(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Save(%s) = %v, want an error containing %q", c.path, err, c.want)
		}
	}
}
