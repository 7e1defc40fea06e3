package checkpoint

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestInside: a checkpoint saved with another inside it writes both in one
// save; each loads with its own step, and a name that is not a folder name
// is refused before anything is in place.
func TestInside(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "last")
	outer, inner := tinyCheckpoint(t, 2), tinyCheckpoint(t, 3)
	outer.Inside = map[string]*Checkpoint{"value": inner}
	if err := Save(dir, outer); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir  string
		step int
	}{{dir, 2}, {filepath.Join(dir, "value"), 3}} {
		ck, err := Load(c.dir)
		if err != nil {
			t.Fatal(err)
		}
		if ck.State.Step != c.step {
			t.Errorf("%s: step %d, saved %d", c.dir, ck.State.Step, c.step)
		}
	}
	// Saving again replaces the pair: the inner folder is the new one.
	outer2, inner2 := tinyCheckpoint(t, 4), tinyCheckpoint(t, 5)
	outer2.Inside = map[string]*Checkpoint{"value": inner2}
	if err := Save(dir, outer2); err != nil {
		t.Fatal(err)
	}
	if ck, err := Load(filepath.Join(dir, "value")); err != nil || ck.State.Step != 5 {
		t.Fatalf("inner after the second save: %v, %v", ck, err)
	}
	bad := tinyCheckpoint(t, 6)
	bad.Inside = map[string]*Checkpoint{"../escape": inner}
	if err := Save(dir, bad); err == nil || !strings.Contains(err.Error(), "not a folder name") {
		t.Fatalf("a name with a path was saved: %v", err)
	}
	if ck, err := Load(dir); err != nil || ck.State.Step != 4 {
		t.Fatalf("the refused save changed the checkpoint in place: %v, %v", ck, err)
	}
}
