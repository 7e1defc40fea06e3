package hf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadConfig: any config.json gives a configuration tick can build or
// a one-line error, never a panic; an accepted one validates.
func FuzzReadConfig(f *testing.F) {
	for _, dir := range []string{"gpt2-tiny", "llama-tiny"} {
		b, err := os.ReadFile(filepath.Join("testdata", dir, ConfigFile))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"model_type":"llama","rope_scaling":{"rope_type":"llama3","factor":-1}}`))
	f.Add([]byte(`{"model_type":"gpt2","n_embd":1e300}`))
	f.Add([]byte(`[]`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := os.WriteFile(filepath.Join(dir, ConfigFile), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := ReadConfig(dir, 64)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("ReadConfig accepted a configuration that does not validate: %v", err)
		}
	})
}
