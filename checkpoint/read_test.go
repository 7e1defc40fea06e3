package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestReaderDuringSaves: a reader loading a run while its checkpoints are
// saved again and again (as a training run does) always gets a complete
// checkpoint of one of the saved steps, never a "damaged" error.
func TestReaderDuringSaves(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	newRun(t, dir, true)
	cks := []*Checkpoint{tinyCheckpoint(t, 2), tinyCheckpoint(t, 3)}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	saves := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := Save(filepath.Join(dir, Best), cks[i%2]); err != nil {
				t.Errorf("save %d: %v", i, err)
				return
			}
			saves++
		}
	}()
	for range 200 {
		ck, err := LoadRun(dir)
		if err != nil {
			t.Errorf("a read during saves failed: %v", err)
			break
		}
		if ck.Warning != "" {
			t.Errorf("a read during saves fell back: %s", ck.Warning)
			break
		}
		if s := ck.State.Step; s != 1 && s != 2 && s != 3 {
			t.Errorf("read step %d, which was never saved", s)
		}
	}
	close(stop)
	wg.Wait()
	if saves < 2 {
		t.Fatalf("only %d saves during the reads: the test tested nothing", saves)
	}
}

// TestLoadRunFallsBack: a damaged best/ gives the last checkpoint with a
// one-line warning naming both; when both
// are damaged the error is best's.
func TestLoadRunFallsBack(t *testing.T) {
	damage := func(t *testing.T, ck string) {
		f, err := os.OpenFile(filepath.Join(ck, "model.safetensors"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("x")
		f.Close()
	}
	for _, tc := range []struct {
		damaged []string
		want    string // the checkpoint used, "" for an error
	}{
		{[]string{Best}, Last},
		{[]string{Last}, Best}, // best is what LoadRun reads first: no warning

		{[]string{Best, Last}, ""},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		newRun(t, dir, true)
		for _, d := range tc.damaged {
			damage(t, filepath.Join(dir, d))
		}
		ck, err := LoadRun(dir)
		if tc.want == "" {
			oneLine(t, "both damaged", err, filepath.Join(dir, Best), "damaged")
			continue
		}
		if err != nil {
			t.Errorf("%v damaged: %v", tc.damaged, err)
			continue
		}
		if ck.Dir != filepath.Join(dir, tc.want) {
			t.Errorf("%v damaged: loaded %s, want %s", tc.damaged, ck.Dir, tc.want)
		}
		if tc.damaged[0] != Best {
			if ck.Warning != "" {
				t.Errorf("%v damaged: warning %q, though best/ was read as asked", tc.damaged, ck.Warning)
			}
			continue
		}
		if !strings.Contains(ck.Warning, filepath.Join(dir, tc.damaged[0])) || !strings.Contains(ck.Warning, ck.Dir) || strings.Contains(ck.Warning, "\n") {
			t.Errorf("%v damaged: warning %q does not name both checkpoints on one line", tc.damaged, ck.Warning)
		}
	}
}

// TestChecksumOfALinkToDevZero: a checkpoint file replaced by a link to
// /dev/zero (or any file that never ends) is refused as damaged at once,
// not read forever; a state.json that is one is too.
func TestChecksumOfALinkToDevZero(t *testing.T) {
	for _, name := range []string{"model.safetensors", StateFile} {
		dir := filepath.Join(t.TempDir(), "run")
		newRun(t, dir, false)
		p := filepath.Join(dir, Last, name)
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Fatal(err)
		}
		_, err := LoadRun(dir)
		oneLine(t, name+" -> /dev/zero", err, "damaged", "not a regular file")
	}
}

// TestResumeFrom: a resume continues from last/; from best/, with a
// warning naming the damage, when last/ is damaged; and says there is
// nothing to resume when last/ is missing.
func TestResumeFrom(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	newRun(t, dir, true)
	if d, w, err := ResumeFrom(dir); err != nil || d != filepath.Join(dir, Last) || w != "" {
		t.Errorf("whole run: %s, %q, %v; want last/ and no warning", d, w, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, Last, "model.safetensors"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("x")
	f.Close()
	d, w, err := ResumeFrom(dir)
	if err != nil || d != filepath.Join(dir, Best) || !strings.Contains(w, filepath.Join(dir, Last)) || !strings.Contains(w, "damaged") {
		t.Errorf("damaged last/: %s, %q, %v; want best/ and a warning naming last/", d, w, err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ResumeFrom(empty); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("no checkpoint: %v, want ErrNoCheckpoint", err)
	}
}
