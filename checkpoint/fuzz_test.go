package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadState: a damaged state.json is an error, never a panic.
func FuzzReadState(f *testing.F) {
	f.Add([]byte(`{"step":3,"files":{"a":"00"}}`))
	f.Add([]byte(`{"step":3,"files":{}}`))
	f.Add([]byte(`{"step":3,"files":{"../../etc/passwd":"00"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, StateFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "a"), []byte("x"), 0o644)
		ReadState(dir)
	})
}
