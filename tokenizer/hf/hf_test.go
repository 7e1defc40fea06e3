package hf

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tick-llm/tick/tokenizer/split"
)

// tinyJSON is a tokenizer.json with all 256 bytes (IDs 0..255, spelled in
// the byte-level alphabet), the extra tokens from ID 256 on, and merges in
// the string form. edit, if not nil, changes the file before it is written
// out, so tests can break one field at a time.
func tinyJSON(t testing.TB, extra []string, merges []string, edit func(f map[string]any)) []byte {
	t.Helper()
	vocab := map[string]int{}
	for b := range 256 {
		vocab[toByteLevel([]byte{byte(b)})] = b
	}
	for i, s := range extra {
		vocab[toByteLevel([]byte(s))] = 256 + i
	}
	var ms []string
	for _, m := range merges {
		l, r, _ := strings.Cut(m, " ")
		ms = append(ms, toByteLevel([]byte(l))+" "+toByteLevel([]byte(r)))
	}
	f := map[string]any{
		"version":    "1.0",
		"truncation": nil, "padding": nil,
		"added_tokens":   []any{map[string]any{"id": 256 + len(extra), "content": "<|endoftext|>", "special": true}},
		"normalizer":     nil,
		"pre_tokenizer":  map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
		"post_processor": map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
		"decoder":        map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
		"model": map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": "",
			"end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "vocab": vocab, "merges": ms},
	}
	if edit != nil {
		edit(f)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseTiny(t testing.TB, data []byte) *Tokenizer {
	t.Helper()
	tok, err := parseJSON("tiny", data)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestMergePriority pins down Hugging Face's rule on a case where it and
// tiktoken's differ: "ab" has the lower ID, but the merge "b c" comes first
// in the list, and there is no merge "a bc". Hugging Face joins b+c first
// and stops at [a, bc]; tiktoken's rule (lowest result ID first) would
// join a+b, then ab+c, giving [abc].
func TestMergePriority(t *testing.T) {
	ab, bc, abc := 256, 257, 258 // the IDs of the extra tokens
	tok := parseTiny(t, tinyJSON(t, []string{"ab", "bc", "abc"}, []string{"b c", "a b", "ab c"}, nil))
	for _, c := range []struct {
		text string
		want []int
	}{
		{"abc", []int{'a', bc}}, // b c (priority 0) beats a b (priority 1)
		{"ab", []int{ab}},       // a b alone
		{"abcab", []int{'a', bc, ab}},
		{"aab", []int{'a', ab}}, // equal merges: the leftmost... a+a has none, so a+b
		{"xbc", []int{'x', bc}},
	} {
		got, _ := tok.Encode(c.text)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
		if ref := tok.encodeReference(c.text); !slices.Equal(ref, c.want) {
			t.Errorf("%q: reference gives %v, want %v", c.text, ref, c.want)
		}
	}
	// With ignore_merges, a piece that is a token is emitted whole, even if
	// merging cannot reach it.
	tok = parseTiny(t, tinyJSON(t, []string{"ab", "bc", "abc"}, []string{"b c", "a b", "ab c"}, func(f map[string]any) {
		f["model"].(map[string]any)["ignore_merges"] = true
	}))
	if got, _ := tok.Encode("abc"); !slices.Equal(got, []int{abc}) {
		t.Errorf("ignore_merges: %q gives %v, want [%d]", "abc", got, abc)
	}
	if got, _ := tok.Encode("abcab"); !slices.Equal(got, []int{'a', bc, ab}) {
		t.Errorf("ignore_merges: %q gives %v; the piece is not a token, so merging applies", "abcab", got)
	}
}

// TestMergeFastMatchesReference checks the heap version of merging against
// the plain one on random vocabularies whose merges are in random priority
// order (so they are not tiktoken's), including pieces longer than 64
// bytes and merges listed twice.
func TestMergeFastMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2))
	alphabet := []string{"a", "b", "c", " ", "é"}
	for round := range 30 {
		tokens := []string{"a", "b", "c", " ", "\xc3", "\xa9"}
		seen := map[string]bool{}
		for _, s := range tokens {
			seen[s] = true
		}
		var extra, merges []string
		for range 40 {
			l, r := tokens[rng.IntN(len(tokens))], tokens[rng.IntN(len(tokens))]
			if strings.Contains(l+r, " ") && len(l+r) > 1 && rng.IntN(2) == 0 {
				continue
			}
			merges = append(merges, l+" "+r)
			if !seen[l+r] {
				seen[l+r] = true
				tokens = append(tokens, l+r)
				extra = append(extra, l+r)
			}
		}
		// Merges whose halves contain a space cannot be written "a b";
		// drop them.
		merges = slices.DeleteFunc(merges, func(m string) bool { return strings.Count(m, " ") != 1 })
		rng.Shuffle(len(merges), func(i, j int) { merges[i], merges[j] = merges[j], merges[i] })
		tok := parseTiny(t, tinyJSON(t, extra, merges, func(f map[string]any) {
			f["model"].(map[string]any)["ignore_merges"] = round%2 == 0
			if round%3 == 0 {
				f["pre_tokenizer"] = map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
			}
		}))
		w := &merger{}
		for range 50 {
			var sb strings.Builder
			n := 1 + rng.IntN(100)
			for range n {
				sb.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			text := []byte(sb.String())
			got := tok.model.mergeFast(w, text, nil)
			want := tok.model.mergeReference(text)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d: %q: fast %v, reference %v", round, text, got, want)
			}
			if d := tok.Decode(toInts(got)); string(d) != string(text) {
				t.Fatalf("round %d: %q decodes to %q", round, text, d)
			}
		}
	}
}

func toInts(ids []int32) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out
}

// TestMergesForms reads the same merges written as "a b" strings and as
// ["a", "b"] pairs.
func TestMergesForms(t *testing.T) {
	strs := parseTiny(t, tinyJSON(t, []string{"ab", "abc"}, []string{"a b", "ab c"}, nil))
	pairs := parseTiny(t, tinyJSON(t, []string{"ab", "abc"}, nil, func(f map[string]any) {
		f["model"].(map[string]any)["merges"] = [][]string{{"a", "b"}, {"ab", "c"}}
	}))
	for _, text := range []string{"abc", "ab ab abcab", "cab"} {
		a, _ := strs.Encode(text)
		b, _ := pairs.Encode(text)
		if !slices.Equal(a, b) || len(a) == len(text) {
			t.Errorf("%q: strings give %v, pairs %v", text, a, b)
		}
	}
	if strs.NumMerges() != 2 || pairs.NumMerges() != 2 {
		t.Errorf("merges: %d and %d, want 2", strs.NumMerges(), pairs.NumMerges())
	}
}

// TestRefused: every field tick does not implement is a one-line error
// naming it.
func TestRefused(t *testing.T) {
	model := func(k string, v any) func(map[string]any) {
		return func(f map[string]any) { f["model"].(map[string]any)[k] = v }
	}
	top := func(k string, v any) func(map[string]any) {
		return func(f map[string]any) { f[k] = v }
	}
	split := func(re string) map[string]any {
		return map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": re}, "behavior": "Isolated", "invert": false},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false},
		}}
	}
	for _, c := range []struct {
		name string
		edit func(map[string]any)
		want string
	}{
		{"wordpiece", model("type", "WordPiece"), `model type "WordPiece"`},
		{"byte fallback", model("byte_fallback", true), "byte_fallback"},
		{"dropout", model("dropout", 0.1), "dropout"},
		{"subword prefix", model("continuing_subword_prefix", "##"), "continuing_subword_prefix"},
		{"suffix", model("end_of_word_suffix", "</w>"), "end_of_word_suffix"},
		{"normalizer", top("normalizer", map[string]any{"type": "NFC"}), "normalizer NFC"},
		{"truncation", top("truncation", map[string]any{"max_length": 512}), "truncation"},
		{"padding", top("padding", map[string]any{"strategy": "BatchLongest"}), "padding"},
		{"no pre-tokenizer", top("pre_tokenizer", nil), "pre_tokenizer is null"},
		{"metaspace", top("pre_tokenizer", map[string]any{"type": "Metaspace"}), "pre_tokenizer Metaspace"},
		{"prefix space", top("pre_tokenizer", map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}), "add_prefix_space"},
		{"qwen digits", top("pre_tokenizer", split(`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`)), "Split pattern"},
		{"string split", top("pre_tokenizer", map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"String": " "}, "behavior": "Isolated"},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}}}), "not a Regex"},
		{"split removed", top("pre_tokenizer", map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": hfCL100K}, "behavior": "Removed"},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}}}), `behavior "Removed"`},
		{"split without bytelevel", top("pre_tokenizer", map[string]any{"type": "Split", "pattern": map[string]any{"Regex": hfCL100K}, "behavior": "Isolated"}), "followed by ByteLevel"},
		{"two splits", top("pre_tokenizer", map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": hfCL100K}, "behavior": "Isolated"},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}}}), "two splits"},
		{"decoder", top("decoder", map[string]any{"type": "WordPiece"}), "decoder WordPiece"},
		{"post processor", top("post_processor", map[string]any{"type": "BertProcessing"}), "post_processor BertProcessing"},
		{"missing byte", model("vocab", map[string]int{"a": 0}), "lacks the single byte 0x00"},
		{"merge not in vocab", model("merges", []string{"a qq"}), `"qq" is not in the vocab`},
		{"merge result not in vocab", model("merges", []string{"a b"}), `the result "ab" is not in the vocab`},
		{"bad merge", model("merges", []string{"ab"}), "not two tokens"},
		{"bad pair", model("merges", [][]string{{"a", "b", "c"}}), "has 3 parts"},
		{"no model", top("model", nil), `no "model"`},
		{"sparse IDs", top("added_tokens", []any{map[string]any{"id": 1 << 29, "content": "<|x|>", "special": true}}), "without large gaps"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseJSON("tiny", tinyJSON(t, nil, nil, c.edit))
			if err == nil {
				t.Fatalf("accepted; want an error about %s", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line that mentions %q", err, c.want)
			}
		})
	}
	_ = split
}

// TestPatternsAccepted: each pattern spelling in the table selects the
// scanner it names.
func TestPatternsAccepted(t *testing.T) {
	for re, want := range map[string]split.Pattern{hfR50K: split.GPT2, split.GPT2.Regexp(): split.GPT2, hfCL100K: split.CL100K, hfO200K: split.O200K} {
		tok := parseTiny(t, tinyJSON(t, nil, nil, func(f map[string]any) {
			f["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
				map[string]any{"type": "Split", "pattern": map[string]any{"Regex": re}, "behavior": "Isolated", "invert": false},
				map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false},
			}}
		}))
		if tok.Pattern() != want {
			t.Errorf("%q: pattern %v, want %v", re, tok.Pattern(), want)
		}
	}
}

// TestLoadFolder: Load finds tokenizer.json in a folder, takes the file
// itself, and names what is missing when there is nothing.
func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "has no tokenizer") {
		t.Errorf("empty folder: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, TokenizerJSON), tinyJSON(t, []string{"ab"}, []string{"a b"}, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, filepath.Join(dir, TokenizerJSON)} {
		tok, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if ids, _ := tok.Encode("ab"); !slices.Equal(ids, []int{256}) || tok.Name() != "hf:"+filepath.Base(dir) {
			t.Errorf("%s: %s encodes ab as %v", p, tok.Name(), ids)
		}
		if string(tok.TokenBytes(257)) != "<|endoftext|>" || tok.VocabSize() != 258 {
			t.Errorf("%s: added token %q, vocab %d", p, tok.TokenBytes(257), tok.VocabSize())
		}
	}
	if err := os.WriteFile(filepath.Join(dir, TokenizerJSON), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("broken JSON: %v", err)
	}
}
