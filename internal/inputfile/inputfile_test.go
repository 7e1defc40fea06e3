package inputfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFile reads each kind of path: regular files (directly and
// through a link) give os.ReadFile's bytes; devices, FIFOs, directories and
// links to them give a NotRegularError naming the kind, at once (a FIFO
// with no writer would block os.ReadFile forever, /dev/zero would fill
// memory).
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "text.txt")
	want := bytes.Repeat([]byte("Of the Refractions of Light.\n"), 1000)
	if err := os.WriteFile(text, want, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		path string
		want []byte // nil: an error
		kind string // the kind the error names
	}{
		{text, want, ""},
		{empty, []byte{}, ""},
		{link("to-text", text), want, ""},
		{link("to-link", filepath.Join(dir, "to-text")), want, ""},
		{"/dev/zero", nil, "a character device"},
		{"/dev/null", nil, "a character device"},
		{link("to-zero", "/dev/zero"), nil, "a character device"},
		{fifo, nil, "a FIFO"},
		{link("to-fifo", fifo), nil, "a FIFO"},
		{dir, nil, "a directory"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			done := make(chan struct{})
			var got []byte
			var err error
			go func() {
				defer close(done)
				got, err = ReadFile(c.path)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("ReadFile(%s) did not return", c.path)
			}
			if c.want != nil {
				if err != nil || !bytes.Equal(got, c.want) {
					t.Fatalf("ReadFile(%s) = %d bytes, %v; want the file's %d bytes", c.path, len(got), err, len(c.want))
				}
				return
			}
			var nr *NotRegularError
			if !errors.As(err, &nr) {
				t.Fatalf("ReadFile(%s) = %d bytes, %v; want a NotRegularError", c.path, len(got), err)
			}
			if msg := err.Error(); !strings.Contains(msg, c.path) || !strings.Contains(msg, "is not a regular file ("+c.kind+")") {
				t.Errorf("error %q does not name the path and %q", msg, c.kind)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := ReadFile(filepath.Join(dir, "missing"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a missing file gave %v; want an error matching fs.ErrNotExist, as os.ReadFile's", err)
		}
	})
}

// TestKind covers every file type Kind names (the devices and sockets
// above are only some of them).
func TestKind(t *testing.T) {
	cases := map[fs.FileMode]string{
		0:                                 "a regular file",
		fs.ModeDir:                        "a directory",
		fs.ModeDevice | fs.ModeCharDevice: "a character device",
		fs.ModeDevice:                     "a block device",
		fs.ModeNamedPipe:                  "a FIFO",
		fs.ModeSocket:                     "a socket",
		fs.ModeSymlink:                    "a symbolic link",
		fs.ModeIrregular:                  "an irregular file",
	}
	for m, want := range cases {
		if got := Kind(m); got != want {
			t.Errorf("Kind(%v) = %q, want %q", m, got, want)
		}
	}
}
