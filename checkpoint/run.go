package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tick-llm/tick/internal/atomicfile"
	"github.com/tick-llm/tick/internal/inputfile"
	"github.com/tick-llm/tick/tokenizer"
	"github.com/tick-llm/tick/transformer"
)

// The two checkpoints of a run folder.
const (
	Last = "last" // the latest, which --resume continues from
	Best = "best" // the lowest validation loss so far, which generation uses
)

// Find finds the checkpoint to use in dir: dir itself if it is a checkpoint
// folder, else its best checkpoint, else its last.
func Find(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, StateFile)); err == nil {
		return dir, nil
	}
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("model folder %s does not exist; give the --out folder of a tick train run", dir)
		}
		return "", fmt.Errorf("model folder: %w", err)
	}
	for _, name := range []string{Best, Last} {
		d := filepath.Join(dir, name)
		for _, candidate := range []string{d, d + ".old"} {
			if _, err := os.Stat(filepath.Join(candidate, StateFile)); err == nil {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("%s holds no checkpoint (no best/ or last/ with %s); give the folder a tick train run wrote (--out)", dir, StateFile)
}

// LoadRun loads the checkpoint Find picks in dir (a run folder or a
// checkpoint folder).
//
// A run being trained replaces its checkpoints while others read them: a
// read that meets a save in progress is read again, so a reader sees a
// complete checkpoint, never a healthy one reported as damaged. When the
// checkpoint Find picks is damaged and the run's other one loads, LoadRun
// returns that one with a Warning that says so.
func LoadRun(dir string) (*Checkpoint, error) {
	d, err := Find(dir)
	if err != nil {
		return nil, err
	}
	ck, err := loadSteady(d)
	if errors.Is(err, ErrNoCheckpoint) {
		return nil, fmt.Errorf("%s holds no checkpoint: %w", dir, err)
	}
	if err == nil || filepath.Clean(d) == filepath.Clean(dir) {
		return ck, err // a checkpoint folder named directly has no other
	}
	other := filepath.Join(dir, Last)
	if filepath.Base(d) == Last {
		other = filepath.Join(dir, Best)
	}
	alt, altErr := loadSteady(other)
	if altErr != nil {
		return nil, err
	}
	alt.Warning = fmt.Sprintf("%s is damaged (%s); using %s (step %d) instead", d, strings.TrimSuffix(err.Error(), damagedAdvice), alt.Dir, alt.State.Step)
	return alt, nil
}

// ResumeFrom returns the checkpoint a resumed run in the run folder out
// continues from: its last one, or, when last/ is damaged and best/ is
// whole, best/ with a warning that names the damage (the run then retrains
// the steps after best/, as it would have trained them). A last/ that is
// missing (ErrNoCheckpoint) is not damage: there is nothing to resume.
func ResumeFrom(out string) (dir, warning string, err error) {
	last := filepath.Join(out, Last)
	if _, _, err = ReadState(last); err == nil || errors.Is(err, ErrNoCheckpoint) {
		return last, "", err
	}
	best := filepath.Join(out, Best)
	d, st, bestErr := ReadState(best)
	if bestErr != nil {
		return last, "", err
	}
	return d, fmt.Sprintf("%s is damaged (%s); resuming from %s at step %d instead", last, strings.TrimSuffix(err.Error(), damagedAdvice), d, st.Step), nil
}

// loadSteady is Load, read again while a save in progress changes the
// folder under it (the folder at dir is another one after the read than
// before it, or is missing at either moment), up to a bound: a save takes
// milliseconds, so only a damaged checkpoint fails every time.
func loadSteady(dir string) (*Checkpoint, error) {
	const tries = 50
	var err error
	for range tries {
		before, errBefore := os.Stat(dir)
		var ck *Checkpoint
		if ck, err = Load(dir); err == nil || errors.Is(err, ErrNoCheckpoint) {
			return ck, err
		}
		after, errAfter := os.Stat(dir)
		if errBefore == nil && errAfter == nil && os.SameFile(before, after) && before.ModTime().Equal(after.ModTime()) {
			return nil, err // nothing moved: the damage is real
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}

// LoadModel loads a trained model and the tokenizer it was trained with from
// a run folder (its best checkpoint, else its last) or a checkpoint folder.
//
// A folder holding a PEFT adapter (adapter_config.json) loads as its base
// with the adapter merged in (LoadAdapter, then MergeLoRA): the model for
// generation, whose single-token cache reads only the base weights.
func LoadModel(dir string) (*transformer.Model, tokenizer.Tokenizer, error) {
	if IsAdapter(dir) {
		m, tok, _, err := LoadAdapter(dir)
		if err != nil {
			return nil, nil, err
		}
		m.MergeLoRA()
		return m, tok, nil
	}
	ck, err := LoadRun(dir)
	if err != nil {
		return nil, nil, err
	}
	ck.Model.MergeLoRA() // a fine-tune's checkpoint (nothing for a plain one)
	return ck.Model, ck.Tokenizer, nil
}

// The files of a run folder besides its checkpoints.
const (
	MetricsFile = "metrics.jsonl" // a line per step and per evaluation
	PlotFile    = "loss.png"      // the loss curves
	// MarkerFile marks a folder as a run folder written by tick: tick
	// removes or replaces things only in a marked folder, and there only
	// the names it owns (runEntries); a folder that is not empty and has
	// no marker is the user's, and tick refuses to write into it.
	MarkerFile = "tick-run.json"
	// LockFile is held locked (flock) by the one process that writes the
	// run, and says which process that is.
	LockFile = ".tick-run.lock"
)

// markerFormat is the version of MarkerFile this tick writes and reads.
const markerFormat = 1

// marker is the contents of MarkerFile.
type marker struct {
	Format int    `json:"format"`
	Note   string `json:"note"`
}

const markerNote = "a run folder of tick train: tick writes and removes here only last/, best/, " +
	"their .old copies, metrics.jsonl, loss.png, this file, .tick-run.lock and its own temporary files (.NAME.tmp-DIGITS)"

// runEntries are the names a run folder holds: its two checkpoints (and
// the .old copies an interrupted save leaves), its metrics, its plot, its
// marker and its lock.
var runEntries = []string{Last, Best, Last + ".old", Best + ".old", MetricsFile, PlotFile, MarkerFile, LockFile}

// checkpointEntries are the names of runEntries that are checkpoint
// folders.
var checkpointEntries = []string{Last, Best, Last + ".old", Best + ".old"}

// tempBases are the names whose temporary copies (atomicfile.TempPattern)
// a run writes and renames into place, or leaves behind when it is killed
// while writing: checkpoint folders being saved or discarded, the plot,
// the trimmed metrics, the marker, and the probe of checkWritable.
var tempBases = []string{Last, Best, PlotFile, MetricsFile, MarkerFile, WriteTestBase}

// WriteTestBase is the base name of the temporary file a run creates and
// removes to test that its folder is writable (see atomicfile.TempPattern).
const WriteTestBase = "write-test"

// isRunEntry reports whether name is one a run folder owns.
func isRunEntry(name string) bool {
	return slices.Contains(runEntries, name) || isRunTemp(name)
}

// isRunTemp reports whether name is a temporary file or folder of a run.
func isRunTemp(name string) bool {
	for _, b := range tempBases {
		if atomicfile.IsTemp(name, b) {
			return true
		}
	}
	return false
}

// isCheckpoint reports whether dir is a checkpoint folder: one that holds
// state.json, which every checkpoint has (it lists and checksums the rest).
// It is how tick recognises its checkpoints: Save replaces and removes only
// folders that have one.
func isCheckpoint(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, StateFile))
	return err == nil && st.Mode().IsRegular()
}

// readMarker reports whether dir holds a valid MarkerFile. A missing or
// unreadable marker is no marker; one from a newer tick is an error.
func readMarker(dir string) (bool, error) {
	b, err := inputfile.ReadFile(filepath.Join(dir, MarkerFile))
	if err != nil || len(b) > 1<<16 {
		return false, nil
	}
	var m marker
	if json.Unmarshal(b, &m) != nil || m.Format < 1 {
		return false, nil
	}
	if m.Format > markerFormat {
		return false, fmt.Errorf("%s was written by a newer tick (%s format %d, this tick reads %d); use that tick, or choose another --out", dir, MarkerFile, m.Format, markerFormat)
	}
	return true, nil
}

// isRun reports whether dir is a run folder: marked, or, written by a tick
// from before markers, holding a checkpoint in last/ or best/ (or their
// .old copies).
func isRun(dir string) bool {
	if ok, err := readMarker(dir); ok || err != nil {
		return true
	}
	for _, name := range checkpointEntries {
		if isCheckpoint(filepath.Join(dir, name)) {
			return true
		}
	}
	return false
}

func writeMarker(dir string) error {
	b, err := json.MarshalIndent(marker{Format: markerFormat, Note: markerNote}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, MarkerFile), append(b, '\n')); err != nil {
		return fmt.Errorf("mark the run folder: %w", err)
	}
	return nil
}

// checkNotNested refuses a run folder where another run's saves would
// delete it: inside a checkpoint folder (a save replaces the folder
// whole), or at a name a run folder owns (its last/, best/, their .old
// copies, ...). dir need not exist yet.
func checkNotNested(dir string) error {
	p, err := realPath(dir)
	if err != nil {
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	show := shortener(dir)
	if isCheckpoint(p) {
		if parent := filepath.Dir(p); isRun(parent) {
			return fmt.Errorf("%s is a checkpoint folder of the run in %s, not a run folder; give --out %s to continue that run, or choose another --out", dir, show(parent), show(parent))
		}
		return fmt.Errorf("%s is a checkpoint folder (it holds %s), not a run folder; choose another --out", dir, StateFile)
	}
	for {
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		if isCheckpoint(parent) {
			return fmt.Errorf("%s is inside the checkpoint folder %s, which a save of its run replaces whole; choose an --out outside it", dir, show(parent))
		}
		if name := filepath.Base(p); isRunEntry(name) && isRun(parent) {
			what := "a name the run in " + show(parent) + " writes"
			if slices.Contains(checkpointEntries, name) {
				what = "a checkpoint folder of the run in " + show(parent) + ", which its saves replace"
			}
			return fmt.Errorf("%s is inside %s (%s); choose an --out outside that run folder", dir, show(p), what)
		}
		p = parent
	}
}

// shortener returns how to show a resolved path in messages about dir: as
// given, relative to the working folder, if dir was relative and the path
// is below it; else absolute.
func shortener(dir string) func(string) string {
	if filepath.IsAbs(dir) {
		return func(p string) string { return p }
	}
	wd, err := os.Getwd()
	if err == nil {
		wd, err = filepath.EvalSymlinks(wd)
	}
	return func(p string) string {
		if err != nil {
			return p
		}
		if r, err := filepath.Rel(wd, p); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return r
		}
		return p
	}
}

// realPath is the absolute path of dir with the symbolic links of its
// deepest existing ancestor resolved, so that a link cannot hide that a
// folder is inside a run.
func realPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	rest := ""
	for p := abs; ; {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// describe lists up to three of entries for a message: "a, b/ and 4 more".
func describe(entries []fs.DirEntry) string {
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	if len(names) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
	}
	return strings.Join(names, ", ")
}

// foreign returns the entries of dir other than its lock file and tick's
// temporary files: those are all a run has written before it marked its
// folder (while it writes the marker, or if it is killed first).
func foreign(dir string) ([]fs.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() == LockFile || isRunTemp(e.Name()) }), nil
}

// RunFolder is a run folder this process holds locked: no other tick
// process writes it, resumes it or clears it until Close.
type RunFolder struct {
	Dir string
	// Restarted says CreateRun found a run that was stopped before its
	// first checkpoint and removed what it had written (its metrics and
	// plot), to start it again.
	Restarted bool
	// Removed are the temporary files and folders of interrupted saves
	// that OpenRun (or CreateRun) removed.
	Removed []string
	lock    *os.File
}

// CreateRun makes dir the folder of a new run and locks it. dir may be
// missing, empty, or a run folder stopped before its first checkpoint (it
// is started again). A folder that holds a run is refused (continue it
// with OpenRun), and so is a folder that is not empty and is not a run:
// what is in it is the user's. So is a folder inside another run's
// checkpoints, which that run's saves would delete.
func CreateRun(dir string) (*RunFolder, error) {
	if err := checkNotNested(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("output folder %s cannot be created (%v); choose another --out", dir, err)
	}
	// A folder that is no run is checked before locking, so that a folder
	// of the user's is not given a lock file; a run folder is locked first,
	// so that a run in progress there is reported as such. Both are checked
	// (again) under the lock, in case another run started in between.
	if !isRun(dir) {
		if err := checkFresh(dir); err != nil {
			return nil, err
		}
	}
	rf, err := lockRun(dir)
	if err != nil {
		return nil, err
	}
	if err := rf.startFresh(); err != nil {
		rf.Close()
		return nil, err
	}
	return rf, nil
}

// checkFresh refuses a folder a new run must not write into.
func checkFresh(dir string) error {
	marked, err := readMarker(dir)
	if err != nil {
		return err
	}
	if marked || isRun(dir) {
		for _, name := range checkpointEntries {
			if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
				return fmt.Errorf("%s already holds a run (%s); continue it with --resume or choose another --out", dir, name)
			}
		}
		return nil
	}
	entries, err := foreign(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty and is not a tick run (it holds %s); tick trains only into a new or empty folder: choose another --out, or move those away", dir, describe(entries))
	}
	return nil
}

// startFresh readies a locked folder for a new run: checked again,
// emptied of what a run stopped before its first checkpoint wrote, marked.
func (rf *RunFolder) startFresh() error {
	if err := checkFresh(rf.Dir); err != nil {
		return err
	}
	marked, _ := readMarker(rf.Dir)
	if marked {
		for _, name := range []string{MetricsFile, PlotFile} {
			p := filepath.Join(rf.Dir, name)
			if st, err := os.Lstat(p); err == nil && !st.IsDir() {
				if err := os.Remove(p); err != nil {
					return fmt.Errorf("start the run in %s again: %w", rf.Dir, err)
				}
				rf.Restarted = true
			}
		}
	}
	if err := rf.removeTemps(); err != nil {
		return err
	}
	if !marked {
		return writeMarker(rf.Dir)
	}
	return nil
}

// OpenRun locks the run folder dir to continue its run. dir must be a run
// folder (an error wrapping ErrNoCheckpoint says it is missing or empty);
// one written by a tick from before markers is marked now. What
// interrupted saves left behind (temporary files and folders of tick's
// own names, RunFolder.Removed) is removed.
func OpenRun(dir string) (*RunFolder, error) {
	if err := CheckRun(dir); err != nil {
		return nil, err
	}
	rf, err := lockRun(dir)
	if err != nil {
		return nil, err
	}
	if err := rf.openExisting(); err != nil {
		rf.Close()
		return nil, err
	}
	return rf, nil
}

// CheckRun reports, without locking or writing anything, whether OpenRun
// would take dir: it must be a run folder, and not one inside another
// run's checkpoints. A missing or empty dir is an error wrapping
// ErrNoCheckpoint; a folder that is no run is an error saying what it
// holds.
func CheckRun(dir string) error {
	if err := checkNotNested(dir); err != nil {
		return err
	}
	if _, err := readMarker(dir); err != nil {
		return err
	}
	if isRun(dir) {
		return nil
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("%s is not a folder; give the --out folder of a tick train run", dir)
	}
	entries, err := foreign(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return fmt.Errorf("%s: %w", dir, ErrNoCheckpoint)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("%s is not a tick run (it holds %s, and no %s or checkpoint); nothing to resume: give the --out of a tick train run", dir, describe(entries), MarkerFile)
}

func (rf *RunFolder) openExisting() error {
	marked, err := readMarker(rf.Dir)
	if err != nil {
		return err
	}
	// Saves replace last/, best/ and their .old copies, and only
	// checkpoints (see replaceDir): anything else under those names is
	// found now, not after training.
	for _, name := range checkpointEntries {
		p := filepath.Join(rf.Dir, name)
		if _, err := os.Lstat(p); err == nil && !isCheckpoint(p) {
			return fmt.Errorf("%s is not a checkpoint (it has no %s), and the run's saves would replace it; move or rename it, then resume", p, StateFile)
		}
	}
	if err := rf.removeTemps(); err != nil {
		return err
	}
	if !marked {
		return writeMarker(rf.Dir)
	}
	return nil
}

// removeTemps removes the temporary files and folders that interrupted
// saves left: only names of tick's own temporary pattern (isRunTemp), and
// only under the lock, so none of them is being written.
func (rf *RunFolder) removeTemps() error {
	entries, err := os.ReadDir(rf.Dir)
	if err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	for _, e := range entries {
		if !isRunTemp(e.Name()) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(rf.Dir, e.Name())); err != nil {
			return fmt.Errorf("remove what an interrupted save left in %s: %w", rf.Dir, err)
		}
		rf.Removed = append(rf.Removed, e.Name())
	}
	return nil
}

// Close releases the run folder. The lock file stays (removing it would
// let two processes lock two different files of the same name), emptied
// of who held it.
func (rf *RunFolder) Close() error {
	if rf == nil || rf.lock == nil {
		return nil
	}
	rf.lock.Truncate(0) // still locked: nobody reads a half-cleared holder
	err := rf.lock.Close()
	rf.lock = nil
	return err
}

// InUseError says a run folder is locked by another process.
type InUseError struct {
	Dir    string
	Holder string // "pid 123 on host, started 2025-01-02 15:04:05", or "" if unknown
}

func (e *InUseError) Error() string {
	who := e.Holder
	if who == "" {
		who = "which has not said who it is"
	}
	return fmt.Sprintf("%s is in use by another tick process (%s); wait for it to finish or stop it, or choose another --out", e.Dir, who)
}

// lockRun takes the exclusive lock on dir's LockFile without waiting,
// and writes who holds it into it. A folder another process holds is an
// *InUseError naming that process.
func lockRun(dir string) (*RunFolder, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, lockFlags, 0o644)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("run folder %s cannot be locked: %s (%v); check that it is a folder you can write", dir, LockFile, err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("run folder %s cannot be locked: %v; check that its file system supports locks (flock), or choose another --out", dir, err)
	}
	if !held {
		// The holder writes who it is right after it gets the lock: give
		// it a moment if it has not yet.
		holder := readHolder(f)
		for i := 0; holder == "" && i < 20; i++ {
			time.Sleep(10 * time.Millisecond)
			holder = readHolder(f)
		}
		f.Close()
		return nil, &InUseError{Dir: dir, Holder: holder}
	}
	host, _ := os.Hostname()
	if host != "" {
		host = " on " + host
	}
	who := fmt.Sprintf("pid %d%s, started %s\n", os.Getpid(), host, time.Now().Format("2006-01-02 15:04:05"))
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(who), 0) // only for messages: a failure is not fatal
	}
	return &RunFolder{Dir: dir, lock: f}, nil
}

// readHolder reads what the holder of a lock wrote: one printable line
// of at most 200 bytes, else "" (it may not have written it yet).
func readHolder(f *os.File) string {
	b := make([]byte, 200)
	n, _ := f.ReadAt(b, 0)
	line, _, _ := strings.Cut(string(b[:n]), "\n")
	if !utf8.ValidString(line) || strings.ContainsFunc(line, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return ""
	}
	return line
}

// Clear empties dir for a new run when it holds an earlier one, so that a
// demo can be run again into the same folder, and reports whether there was
// one. Only a run folder (marked, or holding a checkpoint) that holds
// nothing but what a run writes is removed, and only if no other process
// holds it: anything else in it is the user's, and that is an error.
func Clear(dir string) (bool, error) {
	entries, err := foreign(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := readMarker(dir); err != nil {
		return false, err
	}
	if !isRun(dir) {
		return false, fmt.Errorf("%s exists and is not a training run (it holds %s, and no %s); move it away or choose another -out", dir, describe(entries), MarkerFile)
	}
	rf, err := lockRun(dir)
	if err != nil {
		return false, err
	}
	defer rf.Close()
	if entries, err = os.ReadDir(dir); err != nil {
		return false, fmt.Errorf("output folder: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !isRunEntry(name) {
			return false, fmt.Errorf("%s holds %s, which no training run writes; move it away or choose another -out", dir, name)
		}
		if p := filepath.Join(dir, name); slices.Contains(checkpointEntries, name) && !isCheckpoint(p) {
			return false, fmt.Errorf("%s is not a checkpoint (no %s), so not a training run's; move it away or choose another -out", p, StateFile)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, fmt.Errorf("remove the earlier run in %s: %w", dir, err)
	}
	return true, nil
}
