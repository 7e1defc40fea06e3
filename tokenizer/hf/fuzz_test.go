package hf

import (
	"slices"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/tick-llm/tick/tokenizer"
)

// FuzzParseJSON: any tokenizer.json is a tokenizer or an error, never a
// panic; a tokenizer it accepts encodes text to IDs that decode back to
// the text (byte-level BPE loses nothing).
func FuzzParseJSON(f *testing.F) {
	f.Add(tinyJSON(f, []string{"ab", "bc", "abc"}, []string{"b c", "a b", "ab c"}, nil), "abcab abc")
	f.Add(tinyJSON(f, []string{"ab"}, []string{"a b"}, func(m map[string]any) {
		m["model"].(map[string]any)["merges"] = [][]string{{"a", "b"}}
		m["model"].(map[string]any)["ignore_merges"] = true
	}), "ab")
	f.Add(tinyJSON(f, nil, nil, func(m map[string]any) {
		m["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": hfO200K}, "behavior": "Isolated"},
			map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}}}
	}), "Hello World's 1234")
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`), "a")
	f.Add([]byte(`{"model":null}`), "")
	f.Add([]byte(`[]`), "x")
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		tok, err := parseJSON("fuzz", data)
		if err != nil {
			return
		}
		if len(text) > 1000 {
			text = text[:1000]
		}
		ids, _ := tok.Encode(text)
		if got := tok.Decode(ids); string(got) != text {
			t.Fatalf("%q encodes to %v, which decodes to %q", text, ids, got)
		}
		if ref := tok.encodeReference(text); !slices.Equal(ids, ref) {
			t.Fatalf("%q: fast %v, reference %v", text, ids, ref)
		}
	})
}

var (
	fuzzOnce sync.Once
	fuzzTok  *Tokenizer
	fuzzErr  error
)

// FuzzEncode: Hugging Face's conversion of r50k_base, through Load,
// encodes any text (invalid UTF-8 too: both cut and merge bytes) exactly as
// tick's built-in r50k_base.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", "hello world", "  \n\n\t x", "It's 12345 naïve café 😀", "\xff\xfe a\x80", multilingual} {
		f.Add(s)
	}
	enc, err := tokenizer.Get("r50k_base")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fuzzOnce.Do(func() {
			var tok tokenizer.Tokenizer
			tok, fuzzErr = Load(convertedDir(t, "r50k_base"))
			if fuzzErr == nil {
				fuzzTok = tok.(*Tokenizer)
			}
		})
		if fuzzErr != nil {
			t.Fatal(fuzzErr)
		}
		got, _ := fuzzTok.Encode(text)
		if want := enc.EncodeOrdinary(text); !slices.Equal(got, want) {
			t.Fatalf("%q (valid UTF-8 %v): hf %v, built-in %v", text, utf8.ValidString(text), got, want)
		}
	})
}
