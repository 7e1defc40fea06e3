// Package atomicfile writes files so that a crash, a full disk or Ctrl-C
// leaves either the old file or the new one in place, never half of one.
//
// The bytes go to a temporary file in the same folder (a rename is atomic
// only within one file system), which is synced and then renamed over the
// destination; the folder is synced too, so the rename itself is durable.
//
// Write does it in one call. Prepare and Commit split it in two, so that
// several files can be written and synced first and renamed into place
// only when all of them were written (as a tokenizer's rank file and its
// sidecar are: see package bpe).
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Mode is the permission every file written here gets: readable by all,
// like a file made with os.WriteFile under the usual umask (os.CreateTemp
// alone would leave it private).
const Mode = 0o644

// FaultHook, when not nil, is called before each step that can fail for
// reasons a test cannot provoke on demand: op is "sync" before a temporary
// file is synced, "rename" before it is renamed into place, and path is the
// destination. An error it returns is taken as that step's error. It is for
// tests only (fault injection: a failing fsync, a rename refused), which
// set it and restore it to nil.
var FaultHook func(op, path string) error

func fault(op, path string) error {
	if FaultHook == nil {
		return nil
	}
	return FaultHook(op, path)
}

// Pending is a file written and synced under a temporary name beside its
// destination, not yet renamed into place: Commit puts it there, Abort
// throws it away.
type Pending struct {
	Path string // the destination
	tmp  string // the temporary file, "" once committed or aborted
}

// TempPattern is the os.CreateTemp pattern of the temporary file written
// for a file named base: ".BASE.tmp-" and random digits, hidden, and
// recognisable, so that what a killed process left can be found and
// removed.
func TempPattern(base string) string { return "." + base + ".tmp-*" }

// IsTemp reports whether name is a temporary file (or folder) made with
// TempPattern(base): the prefix, then only the digits os.CreateTemp and
// os.MkdirTemp put in place of the star. Anything else, even a name that
// merely starts the same way, is not ours.
func IsTemp(name, base string) bool {
	prefix := "." + base + ".tmp-"
	if len(name) <= len(prefix) || name[:len(prefix)] != prefix {
		return false
	}
	for _, c := range name[len(prefix):] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Prepare streams a file destined for path through write, buffered, into a
// temporary file beside it and syncs it. If any step fails, the temporary
// file is removed and the error names path. path itself is not touched
// until Commit.
func Prepare(path string, write func(w io.Writer) error) (p *Pending, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, TempPattern(base))
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err = f.Chmod(Mode); err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return nil, err
	}
	if err = bw.Flush(); err != nil {
		return nil, err
	}
	if err = fault("sync", path); err != nil {
		return nil, err
	}
	if err = f.Sync(); err != nil {
		return nil, err
	}
	if err = f.Close(); err != nil {
		return nil, err
	}
	return &Pending{Path: path, tmp: f.Name()}, nil
}

// Commit renames the prepared file over its destination and syncs the
// folder. If the rename fails, the temporary file is removed and the
// destination is as it was.
func (p *Pending) Commit() error {
	if p.tmp == "" {
		return fmt.Errorf("write %s: already committed or aborted", p.Path)
	}
	tmp := p.tmp
	p.tmp = ""
	err := fault("rename", p.Path)
	if err == nil {
		err = os.Rename(tmp, p.Path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", p.Path, err)
	}
	dir := filepath.Dir(p.Path)
	SyncDir(dir)
	return nil
}

// Abort removes the prepared file; the destination is untouched. Aborting
// a committed file does nothing, so Abort can be deferred.
func (p *Pending) Abort() {
	if p.tmp != "" {
		os.Remove(p.tmp)
		p.tmp = ""
	}
}

// Write streams a file to path through write, buffered: Prepare, then
// Commit. If write or any step after it fails, the temporary file is
// removed and path is untouched. Errors name path.
func Write(path string, write func(w io.Writer) error) error {
	p, err := Prepare(path, write)
	if err != nil {
		return err
	}
	return p.Commit()
}

// WriteFile writes data to path atomically (see Write).
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// SyncDir makes renames into dir durable. Not every system can open a
// folder for syncing; what was renamed is complete either way, so failure
// is not reported.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
