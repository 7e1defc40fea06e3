package filetree

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSnapshotSeesEveryChange(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "a", ".hidden"), 0o755)
	os.WriteFile(filepath.Join(root, "a", ".hidden", "f"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(root, "g"), []byte("y"), 0o644)
	before := Snapshot(t, root)
	if want := []string{".", "a", "a/.hidden", "a/.hidden/f", "g"}; !slices.Equal(slices.Sorted(maps.Keys(before)), want) {
		t.Fatalf("snapshot has %v, want %v", slices.Sorted(maps.Keys(before)), want)
	}
	for _, change := range []func(){
		func() { os.WriteFile(filepath.Join(root, "g"), []byte("z"), 0o644) },
		func() { os.WriteFile(filepath.Join(root, "a", "new"), nil, 0o644) },
		func() { os.Remove(filepath.Join(root, "a", ".hidden", "f")) },
	} {
		change()
		after := Snapshot(t, root)
		if maps.Equal(before, after) {
			t.Fatal("a change left the snapshot equal")
		}
		before = after
	}
}

func TestOnly(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b", ".a", "c"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	if got := Names(t, dir); !slices.Equal(got, []string{".a", "b", "c"}) {
		t.Fatalf("Names = %v", got)
	}
	Only(t, dir, "c", ".a", "b")
	var missing, extra testing.T
	Only(&missing, dir, ".a", "b", "c", "d")
	Only(&extra, dir, ".a", "b")
	if !missing.Failed() || !extra.Failed() {
		t.Errorf("Only passed a folder that differs: missing entry failed %v, extra entry failed %v", missing.Failed(), extra.Failed())
	}
}
