// Package filetree reads folders the way tests compare them: a snapshot of
// every file's contents, to show that a failed command touched nothing, and
// the names in a folder, to show that nothing was left behind. It is for
// tests: a folder it cannot read fails the test.
package filetree

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Snapshot maps every file and folder under root, hidden ones included, to
// the SHA-256 of its contents ("dir" for a folder), keyed by the path
// relative to root.
func Snapshot(t testing.TB, root string) map[string]string {
	t.Helper()
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
	if err != nil {
		t.Fatalf("snapshot of %s: %v", root, err)
	}
	return h
}

// Names returns the names of the entries of dir, sorted.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	slices.Sort(names)
	return names
}

// Only checks that dir holds exactly the named entries (in any order): no
// temporary file left behind, nothing missing.
func Only(t testing.TB, dir string, names ...string) {
	t.Helper()
	want := slices.Sorted(slices.Values(names))
	if got := Names(t, dir); !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}
