// Package atomicfile writes files so that a crash, a full disk or Ctrl-C
// leaves either the old file or the new one in place, never half of one.
//
// The bytes go to a temporary file in the same folder (a rename is atomic
// only within one file system), which is synced and then renamed over the
// destination; the folder is synced too, so the rename itself is durable.
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

// Write streams a file to path through write, buffered. If write or any
// step after it fails, the temporary file is removed and path is untouched.
// Errors name path.
func Write(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err = f.Chmod(Mode); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	SyncDir(dir)
	return nil
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
