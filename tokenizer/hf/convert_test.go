package hf

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pkoukk/tiktoken-go-loader/assets"

	"github.com/tick-llm/tick/internal/goroot"
	"github.com/tick-llm/tick/internal/tiktokenref"
	"github.com/tick-llm/tick/tokenizer"
)

// hfConvert builds the tokenizer.json that Hugging Face's
// TikTokenConverter (transformers' convert_slow_tokenizer.py) makes of a
// tiktoken rank file, written here from the Python without tick's code:
//
//	for token, rank in bpe_ranks.items():
//	    vocab[token_bytes_to_string(token)] = rank
//	    local = [(l, r, rank) for every split l+r of token with l, r in bpe_ranks]
//	    merges.extend(sorted(local, key=(bpe_ranks[l], bpe_ranks[r])))
//	merges = sorted(merges, key=rank)      # stable
//	BPE(vocab, merges, fuse_unk=False); ignore_merges = True
//	pre_tokenizer = Sequence([Split(Regex(pattern), "isolated"), ByteLevel(add_prefix_space=False, use_regex=False)])
//	decoder = ByteLevel(); added special tokens
//
// It writes merges in the newer list-of-pairs form (Write uses the string
// form, so both are tested).
func hfConvert(t testing.TB, rankFile, pattern string, specials map[string]int) []byte {
	t.Helper()
	data, err := assets.Assets.ReadFile(rankFile)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		tok  []byte
		rank int
	}
	var entries []entry
	ranks := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		tok, err := base64.StdEncoding.DecodeString(f[0])
		if err != nil {
			t.Fatal(err)
		}
		r, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry{tok, r})
		ranks[string(tok)] = r
	}
	// bytes_to_unicode, as in GPT-2's encoder.py.
	var bs []int
	for b := '!'; b <= '~'; b++ {
		bs = append(bs, int(b))
	}
	for b := 0xA1; b <= 0xAC; b++ {
		bs = append(bs, b)
	}
	for b := 0xAE; b <= 0xFF; b++ {
		bs = append(bs, b)
	}
	cs := slices.Clone(bs)
	n := 0
	for b := 0; b < 256; b++ {
		if !slices.Contains(bs, b) {
			bs = append(bs, b)
			cs = append(cs, 256+n)
			n++
		}
	}
	enc := map[byte]rune{}
	for i := range bs {
		enc[byte(bs[i])] = rune(cs[i])
	}
	str := func(b []byte) string {
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(enc[c])
		}
		return sb.String()
	}
	type m struct {
		l, r []byte
		rank int
	}
	vocab := map[string]int{}
	var merges []m
	for _, e := range entries {
		vocab[str(e.tok)] = e.rank
		var local []m
		for i := 1; i < len(e.tok); i++ {
			l, r := e.tok[:i], e.tok[i:]
			_, okL := ranks[string(l)]
			_, okR := ranks[string(r)]
			if okL && okR {
				local = append(local, m{l, r, e.rank})
			}
		}
		sort.SliceStable(local, func(i, j int) bool {
			if ranks[string(local[i].l)] != ranks[string(local[j].l)] {
				return ranks[string(local[i].l)] < ranks[string(local[j].l)]
			}
			return ranks[string(local[i].r)] < ranks[string(local[j].r)]
		})
		merges = append(merges, local...)
	}
	sort.SliceStable(merges, func(i, j int) bool { return merges[i].rank < merges[j].rank })
	pairs := make([][2]string, len(merges))
	for i, mg := range merges {
		pairs[i] = [2]string{str(mg.l), str(mg.r)}
	}
	var added []map[string]any
	for s, id := range specials {
		added = append(added, map[string]any{"id": id, "content": s, "single_word": false, "lstrip": false,
			"rstrip": false, "normalized": false, "special": true})
	}
	byteLevel := map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
	file := map[string]any{
		"version":      "1.0",
		"truncation":   nil,
		"padding":      nil,
		"added_tokens": added,
		"normalizer":   nil,
		"pre_tokenizer": map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": pattern}, "behavior": "Isolated", "invert": false},
			byteLevel,
		}},
		"post_processor": map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
		"decoder":        map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
		"model": map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": nil,
			"end_of_word_suffix": nil, "fuse_unk": false, "byte_fallback": false, "ignore_merges": true,
			"vocab": vocab, "merges": pairs},
	}
	out, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The patterns as Hugging Face files spell them: Llama 3's tokenizer.json
// (and the converter's default) for cl100k, tiktoken's pat_str for r50k and
// o200k, which the converter copies.
const (
	hfR50K   = `'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	hfCL100K = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	hfO200K  = `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

var conversions = []struct {
	name, file, pattern string
}{
	{"r50k_base", "r50k_base.tiktoken", hfR50K},
	{"cl100k_base", "cl100k_base.tiktoken", hfCL100K},
	{"o200k_base", "o200k_base.tiktoken", hfO200K},
}

// converted caches each conversion's folder: building o200k's takes a
// second or two, and several tests read it.
var (
	convertedMu   sync.Mutex
	convertedDirs = map[string]string{}
)

func convertedDir(t testing.TB, name string) string {
	t.Helper()
	convertedMu.Lock()
	defer convertedMu.Unlock()
	if d, ok := convertedDirs[name]; ok {
		return d
	}
	for _, c := range conversions {
		if c.name != name {
			continue
		}
		enc, err := tokenizer.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		dir, err := os.MkdirTemp("", "hf-"+name+"-")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, TokenizerJSON), hfConvert(t, c.file, c.pattern, enc.SpecialTokens()), 0o644); err != nil {
			t.Fatal(err)
		}
		convertedDirs[name] = dir
		return dir
	}
	t.Fatalf("no conversion %s", name)
	return ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range convertedDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// corpora are the texts the conversions are checked on: Newton's Opticks,
// Go sources, and text in many scripts.
func corpora(t testing.TB) map[string]string {
	t.Helper()
	_, opticks, err := goroot.Opticks()
	if err != nil {
		t.Fatalf("this test reads Newton's Opticks: %v", err)
	}
	src, err := goroot.Sources(300_000)
	if err != nil {
		t.Fatalf("this test reads the Go sources: %v", err)
	}
	return map[string]string{
		"opticks":      string(opticks),
		"go sources":   strings.Join(src, ""),
		"multilingual": multilingual,
	}
}

const multilingual = "English: The quick brown fox jumps over the lazy dog. It's 3.14159, isn't it? DON'T SHOUT!\n" +
	"Français : « Où est la bibliothèque ? » L'élève répondit qu'il l'ignorait.\n" +
	"Deutsch: Straße, Größe, Übermäßig — 1.234.567,89 €\n" +
	"Русский: Съешь же ещё этих мягких французских булок, да выпей чаю.\n" +
	"Ελληνικά: Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.\n" +
	"中文：我能吞下玻璃而不伤身体。日本語：私はガラスを食べられます。それは私を傷つけません。\n" +
	"한국어: 나는 유리를 먹을 수 있어요. 그래도 아프지 않아요.\n" +
	"العربية: أنا قادر على أكل الزجاج و هذا لا يؤلمني.\n" +
	"עברית: אני יכול לאכול זכוכית וזה לא מזיק לי.\n" +
	"हिन्दी: मैं काँच खा सकता हूँ और मुझे उससे कोई चोट नहीं पहुंचती.\n" +
	"ไทย: ฉันกินกระจกได้ แต่มันไม่ทำให้ฉันเจ็บ\n" +
	"Emoji: 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 e\u0301 \u200d\t\t  \n\n\r\n   trailing   \n" +
	"Code: func main() { fmt.Println(\"héllo\") } // x := []int{1, 22, 333, 4444, 55555}\n"

// TestConvertedTiktoken is the proof that Hugging Face's BPE, as Load
// implements it, on the tokenizer.json Hugging Face makes of a tiktoken
// file, gives exactly the IDs of the built-in encoding and of tiktoken-go.
func TestConvertedTiktoken(t *testing.T) {
	texts := corpora(t)
	for _, c := range conversions {
		t.Run(c.name, func(t *testing.T) {
			tok, err := Load(convertedDir(t, c.name))
			if err != nil {
				t.Fatal(err)
			}
			h := tok.(*Tokenizer)
			enc, err := tokenizer.Get(c.name)
			if err != nil {
				t.Fatal(err)
			}
			if h.VocabSize() != enc.VocabSize() || h.Pattern() != enc.Pattern() || !h.IgnoreMerges() {
				t.Fatalf("vocab %d pattern %v ignore_merges %v, want %d %v true", h.VocabSize(), h.Pattern(), h.IgnoreMerges(), enc.VocabSize(), enc.Pattern())
			}
			for id, want := range enc.SpecialTokens() {
				if got := h.AddedTokens()[id]; got != want || !h.IsSpecial(want) {
					t.Errorf("added token %s: ID %d, want %d (special)", id, got, want)
				}
			}
			for label, text := range texts {
				got, _ := h.Encode(text)
				want := enc.EncodeOrdinary(text)
				diff(t, h, label+" vs tick's "+c.name, got, want)
				ref, err := tiktokenref.EncodeOrdinary(c.name, text)
				if err != nil {
					t.Fatal(err)
				}
				diff(t, h, label+" vs tiktoken-go", got, ref)
				if string(h.Decode(got)) != text {
					t.Errorf("%s: decoding does not give the text back", label)
				}
			}
		})
	}
}

// diff reports the first difference of two ID sequences.
func diff(t *testing.T, tok *Tokenizer, label string, got, want []int) {
	t.Helper()
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	if i == len(got) && i == len(want) {
		return
	}
	show := func(ids []int) string {
		var parts []string
		for _, id := range ids[max(0, i-3):min(i+3, len(ids))] {
			parts = append(parts, strconv.Quote(string(tok.TokenBytes(id))))
		}
		return strings.Join(parts, " ")
	}
	t.Errorf("%s: token %d of %d/%d differs\n got %s\nwant %s", label, i, len(got), len(want), show(got), show(want))
}
