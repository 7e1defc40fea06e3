package train

import (
	"os"
	"path/filepath"
	"testing"
)

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
