package align

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// WritePairs then ReadPairs gives the pairs back.
func TestPairsRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WritePairs(&b, testPairs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pairs.jsonl")
	os.WriteFile(path, b.Bytes(), 0o644)
	got, err := ReadPairs(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, testPairs) {
		t.Errorf("read %v, wrote %v", got, testPairs)
	}
}

// A bad pairs file is one error naming the line and the field.
func TestPairsBadInput(t *testing.T) {
	good := `{"prompt":"add 2 3","chosen":"5","rejected":"6"}`
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"missing rejected", good + "\n" + `{"prompt":"add 1 1","chosen":"2"}`, []string{"line 2", `"rejected"`}},
		{"missing prompt", `{"chosen":"2","rejected":"3"}`, []string{"line 1", `"prompt"`}},
		{"empty chosen", "\n\n" + `{"prompt":"add 1 1","chosen":"","rejected":"3"}`, []string{"line 3", `empty "chosen"`}},
		{"not JSON", good + "\nnope", []string{"line 2", "not a JSON object"}},
		{"a number for a reply", `{"prompt":"add 1 1","chosen":2,"rejected":"3"}`, []string{"line 1"}},
		{"empty file", "", []string{"no pairs"}},
		{"too long", `{"prompt":"` + strings.Repeat("x", 40) + `","chosen":"a","rejected":"b"}`, []string{"line 1", "context"}},
		{"line over 1 MB", good + "\n" + strings.Repeat(" ", 2<<20), []string{"line 2", "1 MB"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.jsonl")
			os.WriteFile(path, []byte(c.text), 0o644)
			_, err := ReadPairs(path)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q does not name %q on one line", err, w)
				}
			}
		})
	}
	if _, err := ReadPairs(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
}
