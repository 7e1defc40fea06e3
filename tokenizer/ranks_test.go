package tokenizer

import (
	"bytes"
	"encoding/base64"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkoukk/tiktoken-go-loader/assets"

	"github.com/tick-llm/tick/tokenizer/split"
)

func TestParseRanksErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"empty", "", "rank file is empty"},
		{"blank lines only", "\n\n  \n", "rank file is empty"},
		{"no rank", "IQ==\n", "line 1 is \"IQ==\", not \"base64(token) rank\""},
		{"three fields", "IQ== 0 1\n", "line 1 is"},
		{"leading space", " IQ== 0\n", "line 1 is"},
		{"negative rank", "IQ== -1\n", "line 1: rank \"-1\" is not a whole number"},
		{"huge rank", "IQ== 99999999999\n", "line 1: rank \"99999999999\""},
		{"word rank", "IQ== zero\n", "line 1: rank \"zero\""},
		{"bad base64", "IQ== 0\n!!!! 1\n", "line 2: token \"!!!!\" is not valid base64"},
		{"duplicate rank", "IQ== 0\nIg== 1\nIw== 1\n", "line 3: rank 1 already used on line 2"},
		{"duplicate token", "IQ== 0\nIg== 1\nIQ== 2\n", "line 3: token \"!\" appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRanks(strings.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseRanks error = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			// The fast loader used for Load reports the same problems.
			_, err = fromRankData("test", []byte(tt.file), split.None, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("fromRankData error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestRanksRoundTrip: WriteRanks then ParseRanks gives back the map, for a
// whole official vocabulary; and the written file is the official file
// byte for byte, since both list "base64 rank" sorted by rank.
func TestRanksRoundTrip(t *testing.T) {
	official, err := readAsset("r50k_base")
	if err != nil {
		t.Fatal(err)
	}
	ranks, err := ParseRanks(bytes.NewReader(official))
	if err != nil {
		t.Fatal(err)
	}
	if len(ranks) != 50256 {
		t.Fatalf("r50k_base has %d ranks, want 50256", len(ranks))
	}
	var buf bytes.Buffer
	if err := WriteRanks(&buf, ranks); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), official) {
		t.Error("WriteRanks(ParseRanks(r50k_base)) differs from the official file")
	}
	back, err := ParseRanks(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(back, ranks) {
		t.Error("ParseRanks(WriteRanks(m)) != m")
	}
}

// TestNewFromMapMatchesBuiltin: an Encoding built with New from a parsed
// map encodes like the built-in one.
func TestNewFromMapMatchesBuiltin(t *testing.T) {
	official, _ := readAsset("cl100k_base")
	ranks, err := ParseRanks(bytes.NewReader(official))
	if err != nil {
		t.Fatal(err)
	}
	builtin := mustGet(t, "cl100k_base")
	enc, err := New("mine", ranks, split.CL100K, builtin.SpecialTokens())
	if err != nil {
		t.Fatal(err)
	}
	text := adversarial(9, 20000) + opticks(t, 50000)
	got, _ := enc.Encode(text, SpecialAllow)
	want, _ := builtin.Encode(text, SpecialAllow)
	diffIDs(t, enc, "New vs built-in", got, want)
	if enc.VocabSize() != builtin.VocabSize() || enc.Name() != "mine" || enc.Pattern() != split.CL100K {
		t.Errorf("New: VocabSize %d Name %s Pattern %v", enc.VocabSize(), enc.Name(), enc.Pattern())
	}
}

func TestNewErrors(t *testing.T) {
	bytesOnly := byteRanks()
	missing := maps.Clone(bytesOnly)
	delete(missing, "a")
	tests := []struct {
		name     string
		ranks    map[string]int
		specials map[string]int
		want     string
	}{
		{"no ranks", nil, nil, "no mergeable ranks"},
		{"missing byte", missing, nil, "byte 0x61 has no rank"},
		{"duplicate rank", map[string]int{"a": 1, "b": 1}, nil, "rank 1 already used"},
		{"special collides with rank", bytesOnly, map[string]int{"<|x|>": 97}, "already the rank of mergeable token \"a\""},
		{"specials share id", bytesOnly, map[string]int{"<|x|>": 300, "<|y|>": 300}, "share id 300"},
		{"empty special", bytesOnly, map[string]int{"": 300}, "empty string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New("t", tt.ranks, split.None, tt.specials)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestLoadMissingFile: the error names the path and what to do.
func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.tiktoken")
	for _, get := range []func() error{
		func() error { _, err := Load(path, split.CL100K, nil); return err },
		func() error { _, err := Get(path); return err },
		func() error { _, err := Get("llama3:" + path); return err },
	} {
		err := get()
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("error = %v, want it to name %s and say it does not exist", err, path)
		}
	}
}

// FuzzParseRanks: any input either fails with an error or parses to ranks
// that survive a write/parse round trip; never a panic.
func FuzzParseRanks(f *testing.F) {
	f.Add("IQ== 0\nIg== 1\n")
	f.Add("IQ== 0\r\n\r\nIg== 1")
	f.Add("IQ== 0\nIQ== 1\n")
	f.Add("=== 1\n")
	f.Add(base64.StdEncoding.EncodeToString([]byte("hello")) + " 7\n")
	f.Fuzz(func(t *testing.T, file string) {
		ranks, err := ParseRanks(strings.NewReader(file))
		// The fast loader must accept and reject exactly the same files.
		slab, lines, err2 := parseRankFile([]byte(file))
		if err2 == nil {
			_, err2 = newVocab(slab, lines)
		}
		if (err == nil) != (err2 == nil) {
			t.Fatalf("ParseRanks error %v, fast loader error %v", err, err2)
		}
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteRanks(&buf, ranks); err != nil {
			t.Fatal(err)
		}
		back, err := ParseRanks(&buf)
		if err != nil || !maps.Equal(back, ranks) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

func readAsset(name string) ([]byte, error) {
	return assets.Assets.ReadFile(builtins[name].file)
}

// writeTemp writes data to a file in a fresh temporary directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
