package tokenizer

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadTokenizer: whatever a checkpoint's tokenizer.json holds, loading
// it returns a tokenizer or an error, never a panic, and a loaded char
// tokenizer round-trips its own alphabet.
func FuzzLoadTokenizer(f *testing.F) {
	f.Add([]byte(`{"kind":"char","chars":"\n abc"}`))
	f.Add([]byte(`{"kind":"byte"}`))
	f.Add([]byte(`{"kind":"encoding","name":"r50k_base"}`))
	f.Add([]byte(`{"kind":"file"}`))
	f.Add([]byte(`{"kind":"char","chars":""}`))
	f.Add([]byte(`{"kind":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, SpecFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		tok, ts, err := LoadSaved(dir)
		if err != nil {
			return
		}
		if ts.Kind == "char" {
			ids, err := tok.Encode(ts.Chars)
			if err != nil {
				t.Fatalf("char tokenizer cannot encode its alphabet %q: %v", ts.Chars, err)
			}
			if got := string(tok.Decode(ids)); got != ts.Chars {
				t.Fatalf("alphabet %q decodes to %q", ts.Chars, got)
			}
		}
	})
}
