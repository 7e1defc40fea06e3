// Package inputfile opens the files tick reads its input from: a text to
// tokenize or train on, a rank file, a sidecar, a checkpoint's files.
//
// Each must be a regular file. os.ReadFile reads whatever a path names, and
// some paths never end: /dev/zero, /dev/urandom, a FIFO nobody writes to, a
// symbolic link to one of them. Reading one fills memory until the process
// dies, or waits forever. So the path is checked first (following symbolic
// links, as opening does), and the opened file is checked again, in case
// the path changed in between.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// NotRegularError is the error for a path that names something other than
// a regular file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode // the type bits of what Path names
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is not a regular file (%s)", e.Path, Kind(e.Mode))
}

// Kind names the type of a file mode for a message, with its article:
// "a character device", "a directory", "a FIFO".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

// Check returns the file information of path (symbolic links followed)
// if it is a regular file, and a *NotRegularError if it is something else.
// A missing path gives the *fs.PathError of os.Stat, which matches
// fs.ErrNotExist.
func Check(path string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: st.Mode().Type()}
	}
	return st, nil
}

// Open opens path for reading if it is a regular file (see Check). The
// check is made before opening, since opening a FIFO waits for a writer,
// and again on the opened file.
func Open(path string) (*os.File, fs.FileInfo, error) {
	if _, err := Check(path); err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, &NotRegularError{Path: path, Mode: st.Mode().Type()}
	}
	return f, st, nil
}

// ReadFile is os.ReadFile for a regular file only: the same bytes and the
// same errors for a file that is missing or unreadable, and a
// *NotRegularError instead of an endless read for anything else.
func ReadFile(path string) ([]byte, error) {
	f, st, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read to the end rather than st.Size() bytes: a file may grow while
	// it is read, and some (in /proc) report size 0.
	b := make([]byte, 0, st.Size()+512)
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
