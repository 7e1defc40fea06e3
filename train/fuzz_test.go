package train

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
		if err := os.WriteFile(filepath.Join(dir, tokenizerFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		tok, ts, err := loadTokenizer(dir)
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

// FuzzReadState: a damaged state.json is an error, never a panic.
func FuzzReadState(f *testing.F) {
	f.Add([]byte(`{"step":3,"files":{"a":"00"}}`))
	f.Add([]byte(`{"step":3,"files":{}}`))
	f.Add([]byte(`{"step":3,"files":{"../../etc/passwd":"00"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, stateFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "a"), []byte("x"), 0o644)
		readState(dir)
	})
}

// FuzzReadMetrics: any metrics file reads or fails cleanly.
func FuzzReadMetrics(f *testing.F) {
	f.Add([]byte("{\"kind\":\"step\",\"step\":1,\"loss\":4.2}\n{\"kind\":\"eval\",\"step\":1,\"val_loss\":4}\n"))
	f.Add([]byte("\n\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "metrics.jsonl")
		os.WriteFile(p, data, 0o644)
		if _, err := ReadMetrics(p); err == nil {
			trimMetrics(p, 0)
		}
	})
}
