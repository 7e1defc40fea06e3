package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/filetree"
	"github.com/tick-llm/tick/internal/tinymodel"
	"github.com/tick-llm/tick/tokenizer"
)

// tinyCheckpoint is a real checkpoint of a 1-layer model of width 8 on
// bytes, at the given step, small enough to save many times.
func tinyCheckpoint(t *testing.T, step int) *Checkpoint {
	t.Helper()
	m := tinymodel.New(t, "gpt", tinymodel.Sizes{Context: 4, Layers: 1, Heads: 1, KVHeads: 1, Dim: 8, FFDim: 16}, uint64(step))
	_, spec, err := tokenizer.Build("byte", "")
	if err != nil {
		t.Fatal(err)
	}
	ck := &Checkpoint{State: State{Step: step, Options: json.RawMessage(`{"val-frac":0.1}`)}, Model: m, TokSpec: spec}
	for _, p := range m.Params() {
		ck.M, ck.V = append(ck.M, make([]float64, p.Size())), append(ck.V, make([]float64, p.Size()))
	}
	return ck
}

// put writes files (path -> contents, a path ending in "/" is a folder)
// under root.
func put(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, p)
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// oneLine checks an error is one line that names each of names.
func oneLine(t *testing.T, what string, err error, names ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("%s: error is not one line: %q", what, msg)
	}
	for _, n := range names {
		if !strings.Contains(msg, n) {
			t.Errorf("%s: error %q does not name %q", what, msg, n)
		}
	}
}

// newRun makes a run folder the way a run does: CreateRun, a saved last/
// (and best/), Close.
func newRun(t *testing.T, dir string, best bool) {
	t.Helper()
	rf, err := CreateRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	if err := Save(filepath.Join(dir, Last), tinyCheckpoint(t, 1)); err != nil {
		t.Fatal(err)
	}
	if best {
		if err := Save(filepath.Join(dir, Best), tinyCheckpoint(t, 1)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUserFoldersAreRefused: a folder that is not empty and not a tick run
// is the user's. A new run, a resume and Clear all refuse it with one line
// naming what is there, and leave every file in it as it was (not even a
// lock file is added).
func TestUserFoldersAreRefused(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		names []string
	}{
		{"a thesis in last.old", map[string]string{"last.old/chapter1.txt": "thesis"}, []string{"last.old/"}},
		{"notes in best.old", map[string]string{"best.old/notes.txt": "mine"}, []string{"best.old/"}},
		{"own loss.png", map[string]string{"loss.png": "my plot"}, []string{"loss.png"}},
		{"own metrics.jsonl", map[string]string{"metrics.jsonl": "{}\n"}, []string{"metrics.jsonl"}},
		{"a last/ that is no checkpoint", map[string]string{"last/draft.txt": "draft"}, []string{"last/"}},
		{"a damaged marker", map[string]string{MarkerFile: "not json", "data.csv": "1,2"}, []string{MarkerFile, "data.csv"}},
		{"many files", map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}, []string{"a, b, c and 2 more"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "u")
			put(t, dir, c.files)
			before := filetree.Snapshot(t, dir)

			_, err := CreateRun(dir)
			oneLine(t, "CreateRun", err, append([]string{dir, "not a tick run", "choose another --out"}, c.names...)...)
			rf, err := OpenRun(dir)
			if rf != nil {
				rf.Close()
			}
			oneLine(t, "OpenRun", err, dir, "not a tick run")
			if errors.Is(err, ErrNoCheckpoint) {
				t.Errorf("OpenRun of a user's folder says it is empty: %v", err)
			}
			_, err = Clear(dir)
			oneLine(t, "Clear", err, dir, "not a training run")

			if after := filetree.Snapshot(t, dir); !maps.Equal(before, after) {
				t.Errorf("the user's folder changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestCreateRunMarksAndLocks: a new run marks its folder and holds it
// locked; every other CreateRun, OpenRun and Clear is refused, naming the
// holder, until Close.
func TestCreateRunMarksAndLocks(t *testing.T) {
	for _, exists := range []bool{false, true} {
		t.Run("exists="+strconv.FormatBool(exists), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if exists {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			rf, err := CreateRun(dir)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := readMarker(dir); !ok || err != nil {
				t.Errorf("no valid marker after CreateRun: %v, %v", ok, err)
			}
			pid := "pid " + strconv.Itoa(os.Getpid())
			for what, try := range map[string]func() error{
				"CreateRun": func() error { r, err := CreateRun(dir); r.Close(); return err },
				"OpenRun":   func() error { r, err := OpenRun(dir); r.Close(); return err },
				"Clear":     func() error { _, err := Clear(dir); return err },
			} {
				err := try()
				var inUse *InUseError
				if !errors.As(err, &inUse) {
					t.Errorf("%s while the folder is held: %v, want an InUseError", what, err)
					continue
				}
				oneLine(t, what, err, dir, "in use", pid, "wait for it")
			}
			if _, err := os.Stat(filepath.Join(dir, MarkerFile)); err != nil {
				t.Errorf("a refused Clear removed the run: %v", err)
			}
			if err := rf.Close(); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, LockFile)); len(b) != 0 {
				t.Errorf("the lock file still names a holder after Close: %q", b)
			}
			rf, err = OpenRun(dir)
			if err != nil {
				t.Fatalf("OpenRun after Close: %v", err)
			}
			rf.Close()
		})
	}
}

// TestCreateRunRefusesARun: a folder holding a run, marked or from a tick
// before markers, is refused by a new run (continue it with --resume).
func TestCreateRunRefusesARun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	newRun(t, dir, true)
	before := filetree.Snapshot(t, dir)
	_, err := CreateRun(dir)
	oneLine(t, "marked run", err, dir, "already holds a run", "--resume")
	if err := os.Remove(filepath.Join(dir, MarkerFile)); err != nil {
		t.Fatal(err)
	}
	delete(before, MarkerFile)
	_, err = CreateRun(dir)
	oneLine(t, "run from before markers", err, dir, "already holds a run", "--resume")
	if after := filetree.Snapshot(t, dir); !maps.Equal(before, after) {
		t.Errorf("a refused CreateRun changed the run:\nbefore %v\nafter  %v", before, after)
	}
}

// TestCreateRunRestarts: a marked folder whose run stopped before its first
// checkpoint is started again: its metrics, plot and temporary files go, a
// file of the user's in it stays.
func TestCreateRunRestarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	rf, err := CreateRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	rf.Close()
	put(t, dir, map[string]string{MetricsFile: `{"kind":"eval","step":0}` + "\n", PlotFile: "png", ".last.tmp-42/model.safetensors": "half", "notes.txt": "mine"})
	rf, err = CreateRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	if !rf.Restarted {
		t.Error("Restarted is false")
	}
	if !slices.Equal(rf.Removed, []string{".last.tmp-42"}) {
		t.Errorf("Removed %v, want [.last.tmp-42]", rf.Removed)
	}
	for _, gone := range []string{MetricsFile, PlotFile, ".last.tmp-42"} {
		if _, err := os.Lstat(filepath.Join(dir, gone)); err == nil {
			t.Errorf("%s is still there", gone)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Errorf("the user's notes.txt: %q, %v", b, err)
	}
}

// TestNestedRunsRefused: a run folder where another run's saves would
// delete it (in its checkpoint folders, at the names it owns, inside a
// checkpoint, through a symbolic link) is refused; beside them is fine.
func TestNestedRunsRefused(t *testing.T) {
	root := t.TempDir()
	nest := filepath.Join(root, "nest")
	newRun(t, nest, true)
	link := filepath.Join(root, "link")
	if err := os.Symlink(filepath.Join(nest, Best), link); err != nil {
		t.Fatal(err)
	}
	before := filetree.Snapshot(t, nest)
	for _, c := range []struct{ out, want string }{
		{filepath.Join(nest, Best), "checkpoint folder of the run in " + nest},
		{filepath.Join(nest, Last), "checkpoint folder of the run in " + nest},
		{filepath.Join(nest, Best+".old"), "checkpoint folder of the run in " + nest},
		{filepath.Join(nest, Last, "sub"), "inside the checkpoint folder"},
		{filepath.Join(nest, Best, "a", "b"), "inside the checkpoint folder"},
		{filepath.Join(nest, ".best.tmp-5"), "a name the run in " + nest + " writes"},
		{filepath.Join(nest, MetricsFile), "a name the run in " + nest + " writes"},
		{link, "checkpoint folder of the run in " + nest},
		{filepath.Join(link, "sub"), "inside the checkpoint folder"},
	} {
		_, err := CreateRun(c.out)
		oneLine(t, "CreateRun "+c.out, err, c.out, c.want, "--out")
		rf, err := OpenRun(c.out)
		rf.Close()
		oneLine(t, "OpenRun "+c.out, err, c.out, c.want)
	}
	if after := filetree.Snapshot(t, nest); !maps.Equal(before, after) {
		t.Errorf("the outer run changed:\nbefore %v\nafter  %v", before, after)
	}
	// A folder beside the checkpoints is no name the run writes.
	rf, err := CreateRun(filepath.Join(nest, "experiments"))
	if err != nil {
		t.Fatalf("a run in a folder the outer run does not own: %v", err)
	}
	rf.Close()

	// A run from before markers is recognised by its checkpoint, even
	// before it saved a best one.
	old := filepath.Join(root, "old")
	newRun(t, old, false)
	os.Remove(filepath.Join(old, MarkerFile))
	_, err = CreateRun(filepath.Join(old, Best))
	oneLine(t, "inside an unmarked run", err, "checkpoint folder of the run in "+old)
}

// TestSaveReplacesOnlyCheckpoints: Save replaces a checkpoint and leaves no
// .old or temporary folder; a folder in its way that is not a checkpoint
// (no state.json) is an error and is left as it was.
func TestSaveReplacesOnlyCheckpoints(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "ck")
	for step := 1; step <= 3; step++ {
		if err := Save(dir, tinyCheckpoint(t, step)); err != nil {
			t.Fatal(err)
		}
	}
	if got := loadStep(t, dir); got != 3 {
		t.Errorf("step %d after three saves, want 3", got)
	}
	filetree.Only(t, root, "ck")

	for _, c := range []struct{ name, in string }{{"a user's ck.old", dir + ".old"}, {"a user's ck", filepath.Join(root, "mine")}} {
		t.Run(c.name, func(t *testing.T) {
			put(t, c.in, map[string]string{"thesis.txt": "thesis"})
			before := filetree.Snapshot(t, root)
			target := dir
			if c.in != dir+".old" {
				target = c.in
			}
			err := Save(target, tinyCheckpoint(t, 4))
			oneLine(t, "Save", err, c.in, "not a checkpoint", "move or rename it")
			if after := filetree.Snapshot(t, root); !maps.Equal(before, after) {
				t.Errorf("a refused Save changed the folder:\nbefore %v\nafter  %v", before, after)
			}
			os.RemoveAll(c.in)
		})
	}
}

func loadStep(t *testing.T, dir string) int {
	t.Helper()
	ck, err := Load(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return ck.State.Step
}

// TestSaveAfterAKill: the states a kill during Save can leave (last/ moved
// aside to last.old/ and the new one not yet in place; both still there)
// load, and the next Save ends in one checkpoint, nothing else.
func TestSaveAfterAKill(t *testing.T) {
	for _, state := range []string{"between the renames", "before the old copy was removed"} {
		t.Run(state, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, Last)
			if err := Save(dir, tinyCheckpoint(t, 5)); err != nil {
				t.Fatal(err)
			}
			if state == "between the renames" {
				if err := os.Rename(dir, dir+".old"); err != nil {
					t.Fatal(err)
				}
			} else if err := os.CopyFS(dir+".old", os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			if got := loadStep(t, dir); got != 5 {
				t.Errorf("loaded step %d, want the saved 5", got)
			}
			if err := Save(dir, tinyCheckpoint(t, 6)); err != nil {
				t.Fatal(err)
			}
			if got := loadStep(t, dir); got != 6 {
				t.Errorf("step %d after the next save, want 6", got)
			}
			filetree.Only(t, root, Last)
		})
	}
}

// TestOpenRunRemovesOnlyOwnTemporaries: a resume removes the temporary
// files and folders interrupted saves left (tick's own names only: a
// prefix and random digits), keeps everything else, and removes nothing
// while another process holds the folder.
func TestOpenRunRemovesOnlyOwnTemporaries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	newRun(t, dir, false)
	ours := []string{".best.tmp-4", ".last.tmp-1", ".last.tmp-123", ".loss.png.tmp-99", ".metrics.jsonl.tmp-7", ".tick-run.json.tmp-1", ".write-test.tmp-2"}
	put(t, dir, map[string]string{
		".last.tmp-123/model.safetensors": "half a model", ".best.tmp-4/": "", ".last.tmp-1/": "", ".loss.png.tmp-99": "half a png",
		".metrics.jsonl.tmp-7": "{", ".tick-run.json.tmp-1": "", ".write-test.tmp-2": "",
	})
	users := map[string]string{".last.tmp-mine": "a", ".last.tmp-12a": "b", "last.tmp-5": "c", ".loss.png.tmp-": "d", "notes.txt": "e", ".best.tmp-": "f"}
	put(t, dir, users)

	holder, err := OpenRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(holder.Removed)
	if !slices.Equal(holder.Removed, ours) {
		t.Errorf("removed %v, want %v", holder.Removed, ours)
	}
	// Left again while the folder is held: nobody else removes them.
	put(t, dir, map[string]string{".last.tmp-77/model.safetensors": "being written"})
	if rf, err := OpenRun(dir); err == nil {
		rf.Close()
		t.Fatal("a second OpenRun got the folder while it was held")
	}
	if _, err := os.Stat(filepath.Join(dir, ".last.tmp-77", "model.safetensors")); err != nil {
		t.Errorf("a refused OpenRun removed a temporary file of the holder: %v", err)
	}
	holder.Close()

	for name := range users {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s, not a name tick writes, was removed: %v", name, err)
		}
	}
	if got := loadStep(t, filepath.Join(dir, Last)); got != 1 {
		t.Errorf("last/ at step %d, want 1", got)
	}
}

// TestClear: an earlier run is removed whole; a folder with anything that
// is not a run's, or that is no run, stays.
func TestClear(t *testing.T) {
	root := t.TempDir()
	for _, c := range []struct {
		name    string
		make    func(dir string)
		removed bool
		want    string // error, "" for none
	}{
		{"missing", func(string) {}, false, ""},
		{"empty", func(dir string) { os.MkdirAll(dir, 0o755) }, false, ""},
		{"a run", func(dir string) { newRun(t, dir, true) }, true, ""},
		{"a run from before markers", func(dir string) {
			newRun(t, dir, true)
			os.Remove(filepath.Join(dir, MarkerFile))
			put(t, dir, map[string]string{MetricsFile: "\n"})
		}, true, ""},
		{"a run with the user's notes", func(dir string) {
			newRun(t, dir, false)
			put(t, dir, map[string]string{"notes.txt": "mine"})
		}, false, "holds notes.txt, which no training run writes"},
		{"a run with the user's last.old", func(dir string) {
			newRun(t, dir, false)
			put(t, dir, map[string]string{"last.old/thesis.txt": "thesis"})
		}, false, "last.old is not a checkpoint"},
		{"the user's last.old alone", func(dir string) {
			put(t, dir, map[string]string{"last.old/thesis.txt": "thesis", MetricsFile: "\n"})
		}, false, "not a training run"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(root, strings.ReplaceAll(c.name, " ", "-"))
			c.make(dir)
			var before map[string]string
			if _, err := os.Stat(dir); err == nil {
				before = filetree.Snapshot(t, dir)
			}
			removed, err := Clear(dir)
			if c.want == "" && err != nil {
				t.Fatalf("Clear: %v", err)
			}
			if c.want != "" {
				oneLine(t, "Clear", err, c.want, "-out")
			}
			if removed != c.removed {
				t.Errorf("Clear reports removed=%v, want %v", removed, c.removed)
			}
			_, statErr := os.Stat(dir)
			switch {
			case c.removed && statErr == nil:
				t.Errorf("the run is still there")
			case !c.removed && before != nil:
				if after := filetree.Snapshot(t, dir); !maps.Equal(before, after) {
					t.Errorf("Clear changed the folder:\nbefore %v\nafter  %v", before, after)
				}
			}
		})
	}
}

// TestOpenRunRefusesWhatSavesWouldReplace: in a run folder, a folder of
// the user's under a checkpoint's name (best.old/ with a thesis) is found
// when the run is opened, before any training, and left as it was.
func TestOpenRunRefusesWhatSavesWouldReplace(t *testing.T) {
	for _, marked := range []bool{true, false} {
		t.Run("marked="+strconv.FormatBool(marked), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			newRun(t, dir, false)
			if !marked {
				os.Remove(filepath.Join(dir, MarkerFile))
			}
			put(t, dir, map[string]string{"best.old/thesis.txt": "thesis", ".last.tmp-3/": ""})
			before := filetree.Snapshot(t, dir)
			rf, err := OpenRun(dir)
			rf.Close()
			oneLine(t, "OpenRun", err, filepath.Join(dir, "best.old"), "not a checkpoint", "rename it")
			if after := filetree.Snapshot(t, dir); !maps.Equal(before, after) {
				t.Errorf("a refused OpenRun changed the folder:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestSaveWithAFailingRename: whichever rename of a save fails (moving the
// old checkpoint aside, putting the new one in place, discarding the old
// copy), in each state a save can start from, a complete checkpoint is
// still there: the new one, or the one before.
func TestSaveWithAFailingRename(t *testing.T) {
	states := []struct {
		name  string
		setup func(dir string) // from a saved checkpoint at step 1
	}{
		{"one checkpoint", func(string) {}},
		{"moved aside by a killed save", func(dir string) { os.Rename(dir, dir+".old") }},
		{"with an old copy a killed save left", func(dir string) { os.CopyFS(dir+".old", os.DirFS(dir)) }},
	}
	for _, st := range states {
		for k := 1; k <= 3; k++ {
			t.Run(fmt.Sprintf("%s/rename %d fails", st.name, k), func(t *testing.T) {
				root := t.TempDir()
				dir := filepath.Join(root, Last)
				if err := Save(dir, tinyCheckpoint(t, 1)); err != nil {
					t.Fatal(err)
				}
				st.setup(dir)
				n := 0
				rename = func(from, to string) error {
					if n++; n == k {
						return errors.New("injected rename failure")
					}
					return os.Rename(from, to)
				}
				defer func() { rename = os.Rename }()
				err := Save(dir, tinyCheckpoint(t, 2))
				rename = os.Rename
				if n < k {
					if err != nil {
						t.Fatalf("Save made %d renames and failed: %v", n, err)
					}
					return // this state needs fewer renames
				}
				if err == nil {
					t.Fatalf("Save succeeded though rename %d failed", k)
				}
				ck, err := Load(dir)
				if err != nil {
					t.Fatalf("after the failed save no checkpoint loads: %v", err)
				}
				if s := ck.State.Step; s != 1 && s != 2 {
					t.Errorf("loaded step %d, want 1 or 2", s)
				}
			})
		}
	}
}

// TestCreateRunWhileAnotherMarksTheFolder: a run that has locked a new
// folder and is writing its marker (a temporary file there, no marker
// yet) is reported as holding the folder, not taken for a user's file.
func TestCreateRunWhileAnotherMarksTheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	rf, err := CreateRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	if err := os.Rename(filepath.Join(dir, MarkerFile), filepath.Join(dir, ".tick-run.json.tmp-12345")); err != nil {
		t.Fatal(err)
	}
	_, err = CreateRun(dir)
	var inUse *InUseError
	if !errors.As(err, &inUse) {
		t.Errorf("CreateRun while another run marks the folder: %v, want an InUseError", err)
	}
}

// TestLockFileLinkIsNotFollowed: a symbolic link planted under the lock
// file's name does not make tick write the holder into the linked file.
func TestLockFileLinkIsNotFollowed(t *testing.T) {
	root := t.TempDir()
	thesis := filepath.Join(root, "thesis.txt")
	put(t, root, map[string]string{"thesis.txt": "thesis"})
	dir := filepath.Join(root, "run")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(thesis, filepath.Join(dir, LockFile)); err != nil {
		t.Fatal(err)
	}
	if rf, err := CreateRun(dir); err == nil {
		rf.Close()
		if runtime.GOOS == "linux" || runtime.GOOS == "darwin" {
			t.Error("CreateRun locked a symbolic link")
		}
	}
	if b, _ := os.ReadFile(thesis); string(b) != "thesis" {
		t.Errorf("the linked file now holds %q", b)
	}
}
