// Package filetree reads folders the way tests compare them: a snapshot of
// every file's contents, to show a failed command touched nothing, and the
// names in a folder, to show nothing was left behind.
package filetree

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Snapshot maps every file and folder under root, hidden ones included, to
// the SHA-256 of its contents ("dir" for a folder), keyed by the path
// relative to root.
func Snapshot(root string) (map[string]string, error) {
	h := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			h[rel] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	return h, err
}

// Names returns the names of the entries of dir, sorted.
func Names(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	slices.Sort(names)
	return names, nil
}
