package train

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tick-llm/tick/checkpoint"
	"github.com/tick-llm/tick/internal/atomicfile"
)

// fullDisk is an error-injecting writer: it passes on the first room bytes
// of each write, then fails like a full disk (a short write and ENOSPC),
// from the fail-th write on.
type fullDisk struct {
	w     io.Writer
	room  int
	fail  int // 1-based index of the first write that fails
	calls int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if d.calls++; d.calls < d.fail {
		return d.w.Write(p)
	}
	n, _ := d.w.Write(p[:min(d.room, len(p))])
	return n, syscall.ENOSPC
}

// TestMetricsWholeLines: a line whose write fails part-way (a full disk)
// is cut off again, so the file holds only whole lines and later lines
// follow them.
func TestMetricsWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	l, err := openMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	want := []Metric{{Kind: "step", Step: 1, Loss: 4.5, LR: 1e-3}, {Kind: "eval", Step: 1, TrainLoss: 4.4, ValLoss: 4.6}}
	for _, m := range want {
		if err := l.add(m); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(path)
	l.w = &fullDisk{w: l.f, room: 17, fail: 1}
	err = l.add(Metric{Kind: "step", Step: 2, Loss: 4.2})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("add on a full disk: %v, want ENOSPC", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Fatalf("after the failed write the file is\n%q\nwant it as before\n%q", after, before)
	}
	l.w = l.f // space again
	next := Metric{Kind: "step", Step: 2, Loss: 4.1}
	if err := l.add(next); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if want = append(want, next); !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}
}

// TestReadMetricsUnfinishedLine: an unfinished last line (a write cut
// short) is dropped, a last line that only lacks its newline is kept, and
// resuming rewrites the file to whole lines; a damaged line elsewhere is
// an error naming it.
func TestReadMetricsUnfinishedLine(t *testing.T) {
	l1 := `{"kind":"step","step":1,"loss":4.5}`
	l2 := `{"kind":"eval","step":1,"train_loss":4.4,"val_loss":4.6}`
	cases := []struct {
		name, data string
		steps      int    // metrics read
		err        string // "" for none
	}{
		{"whole", l1 + "\n" + l2 + "\n", 2, ""},
		{"last line cut short", l1 + "\n" + l2 + "\n" + l1[:20], 2, ""},
		{"last line cut in its first byte", l1 + "\n" + l2 + "\n{", 2, ""},
		{"last line without its newline", l1 + "\n" + l2, 2, ""},
		{"damaged line in the middle", l1 + "\n" + l1[:20] + "\n" + l2 + "\n", 0, "line 2"},
		{"damaged last line with its newline", l1 + "\n" + l1[:20] + "\n", 0, "line 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "metrics.jsonl")
			os.WriteFile(path, []byte(c.data), 0o644)
			ms, err := ReadMetrics(path)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("ReadMetrics = %v, want an error naming %s", err, c.err)
				}
				return
			}
			if err != nil || len(ms) != c.steps {
				t.Fatalf("ReadMetrics: %d metrics, %v; want %d", len(ms), err, c.steps)
			}
			kept, err := trimMetrics(path, 1)
			if err != nil || len(kept) != c.steps {
				t.Fatalf("trimMetrics: %d kept, %v", len(kept), err)
			}
			b, _ := os.ReadFile(path)
			if !bytes.HasSuffix(b, []byte("\n")) || bytes.Count(b, []byte("\n")) != c.steps {
				t.Errorf("after trimming the file is %q: want %d whole lines", b, c.steps)
			}
		})
	}
}

// straightRun trains o in a folder of its own, uninterrupted, for
// comparison.
func straightRun(t *testing.T, o Options) (*Result, string) {
	t.Helper()
	o.Out = filepath.Join(t.TempDir(), "straight")
	r, err := Run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return r, o.Out
}

// sameRun checks that the run in got equals the one in want: the model and
// optimiser bit for bit, and the metrics line for line (but the speed).
func sameRun(t *testing.T, got, want string) {
	t.Helper()
	a, b := lastCheckpoint(t, want), lastCheckpoint(t, got)
	sameBits(t, "parameters", paramsOf(a.Model), paramsOf(b.Model))
	sameBits(t, "optimiser moments", momentsOf(a), momentsOf(b))
	ma, err := ReadMetrics(filepath.Join(want, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	mb, err := ReadMetrics(filepath.Join(got, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(ma) != len(mb) {
		t.Fatalf("metrics: %d lines, want %d", len(mb), len(ma))
	}
	for i := range ma {
		ma[i].TokensSec, mb[i].TokensSec = 0, 0
		if ma[i] != mb[i] {
			t.Fatalf("metrics line %d: %+v, want %+v", i+1, mb[i], ma[i])
		}
	}
}

// TestFullDiskThenResume: the disk fills up during a metrics append in the
// middle of a run; the run stops with one line saying what is kept and how
// to go on, the file holds whole lines, the last checkpoint loads; with a
// partial line added too (as a kill mid-write leaves), --resume finishes
// the run exactly as an uninterrupted one.
func TestFullDiskThenResume(t *testing.T) {
	o := tinyOptions(t)
	o.Steps, o.EvalEvery, o.SampleTokens = 12, 4, 0
	_, want := straightRun(t, o)

	tr := &trainer{o: o, out: io.Discard, start: time.Now()}
	if err := tr.fresh(); err != nil {
		t.Fatal(err)
	}
	// Lines: eval 0, steps 1-4, eval 4, steps 5-6: the 9th write fails.
	tr.log.w = &fullDisk{w: tr.log.f, room: 9, fail: 9}
	_, err := tr.loop(context.Background())
	tr.log.close()
	tr.folder.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("run on a full disk: %v, want ENOSPC", err)
	}
	oneLineWith(t, err, "no space left", "the last checkpoint (step 4) is kept", "tick train --out "+o.Out+" --resume")
	ms, err := ReadMetrics(filepath.Join(o.Out, metricsFile))
	if err != nil || len(ms) != 8 {
		t.Fatalf("metrics after the full disk: %d lines, %v; want the 8 written whole", len(ms), err)
	}
	if st := lastCheckpoint(t, o.Out).State.Step; st != 4 {
		t.Fatalf("last checkpoint at step %d, want 4", st)
	}

	f, err := os.OpenFile(filepath.Join(o.Out, metricsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"kind":"step","step":7,"lo`)
	f.Close()
	o.Resume = true
	if _, err := Run(context.Background(), o, io.Discard); err != nil {
		t.Fatalf("resume after the full disk: %v", err)
	}
	sameRun(t, o.Out, want)
}

// TestFailedSaveThenResume: an fsync failing while a checkpoint is saved
// (injected into the model file of the temporary folder) stops the run
// with one line; the previous checkpoint is intact, no temporary folder is
// left, and --resume finishes the run exactly as an uninterrupted one.
func TestFailedSaveThenResume(t *testing.T) {
	o := tinyOptions(t)
	o.Steps, o.EvalEvery, o.SampleTokens = 12, 4, 0
	_, want := straightRun(t, o)

	boom := errors.New("injected fsync failure (input/output error)")
	syncs := 0
	atomicfile.FaultHook = func(op, path string) error {
		if op == "sync" && filepath.Base(path) == "model.safetensors" && strings.HasPrefix(path, o.Out) {
			// Step 0 saves last/ and best/; the third is step 4's last/.
			if syncs++; syncs == 3 {
				return boom
			}
		}
		return nil
	}
	defer func() { atomicfile.FaultHook = nil }()
	_, err := Run(context.Background(), o, io.Discard)
	atomicfile.FaultHook = nil
	if !errors.Is(err, boom) {
		t.Fatalf("run with a failing fsync: %v, want %v", err, boom)
	}
	oneLineWith(t, err, "the last checkpoint (step 0) is kept", "--resume")
	entries, _ := os.ReadDir(o.Out)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("the failed save left %s", e.Name())
		}
	}
	if st := lastCheckpoint(t, o.Out).State.Step; st != 0 {
		t.Fatalf("last checkpoint at step %d, want 0", st)
	}
	o.Resume = true
	if _, err := Run(context.Background(), o, io.Discard); err != nil {
		t.Fatalf("resume after the failed save: %v", err)
	}
	sameRun(t, o.Out, want)
}

// TestOneProcessPerRunFolder: while a run trains, a second run into its
// folder and a resume of it are refused, naming the process that holds it,
// and the run finishes exactly as it would alone.
func TestOneProcessPerRunFolder(t *testing.T) {
	o := tinyOptions(t)
	o.Steps, o.EvalEvery, o.SampleTokens = 8, 4, 0
	_, want := straightRun(t, o)

	var errs []error
	a := o
	a.afterStep = func(step int) {
		if step != 2 && step != 4 { // in the middle, and right after a save
			return
		}
		for _, resume := range []bool{false, true} {
			b := o
			b.Resume = resume
			_, err := Run(context.Background(), b, io.Discard)
			errs = append(errs, err)
		}
	}
	if _, err := Run(context.Background(), a, io.Discard); err != nil {
		t.Fatal(err)
	}
	if len(errs) != 4 {
		t.Fatalf("%d attempts, want 4", len(errs))
	}
	for _, err := range errs {
		var inUse *checkpoint.InUseError
		if !errors.As(err, &inUse) {
			t.Errorf("a second run during the first: %v, want an InUseError", err)
			continue
		}
		oneLineWith(t, err, o.Out, "in use", "pid "+strconv.Itoa(os.Getpid()))
	}
	sameRun(t, o.Out, want)
	// Released at the end: the run can be continued.
	o.Resume, o.Steps = true, 10
	if _, err := Run(context.Background(), o, io.Discard); err != nil {
		t.Fatalf("resume after the run ended: %v", err)
	}
}

func oneLineWith(t *testing.T, err error, names ...string) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, n := range names {
		if !strings.Contains(msg, n) {
			t.Errorf("error %q does not say %q", msg, n)
		}
	}
}
