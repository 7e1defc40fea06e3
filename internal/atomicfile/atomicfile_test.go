package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/filetree"
)

func TestWriteFileReplacesAndIsReadable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	for _, want := range []string{"first", "second, longer"} {
		if err := WriteFile(path, []byte(want)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Fatalf("read back %q, %v; want %q", got, err, want)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != Mode {
		t.Errorf("mode %v, want %v", st.Mode().Perm(), os.FileMode(Mode))
	}
	filetree.Only(t, dir, "f.txt")
}

func TestFailedWriteLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteFile(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want it to wrap %v", err, boom)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("after a failed write the file holds %q, want the old contents", got)
	}
	filetree.Only(t, dir, "f.txt")
}

func TestWriteIntoMissingFolderFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-folder", "f.txt")
	if err := WriteFile(path, []byte("x")); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
}

// TestPrepareCommitAbort: a prepared file is not in place until Commit;
// Abort leaves the destination as it was, and neither leaves a temporary
// file behind.
func TestPrepareCommitAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteFile(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	p, err := Prepare(path, write("new"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("after Prepare the file holds %q, want still the old contents", got)
	}
	p.Abort()
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("after Abort the file holds %q, want the old contents", got)
	}
	filetree.Only(t, dir, "f.txt")

	if p, err = Prepare(path, write("new")); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	p.Abort() // after Commit: nothing to do
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("after Commit the file holds %q, want the new contents", got)
	}
	if err := p.Commit(); err == nil {
		t.Error("a second Commit succeeded")
	}
	filetree.Only(t, dir, "f.txt")
}

// TestFaultHook: a failing sync or rename (injected) is the error of the
// write, which leaves the old file and no temporary file.
func TestFaultHook(t *testing.T) {
	for _, op := range []string{"sync", "rename"} {
		t.Run(op, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.txt")
			if err := WriteFile(path, []byte("old")); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("input/output error")
			FaultHook = func(o, p string) error {
				if o == op && p == path {
					return boom
				}
				return nil
			}
			defer func() { FaultHook = nil }()
			err := WriteFile(path, []byte("new"))
			if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want %v naming %s", err, boom, path)
			}
			if got, _ := os.ReadFile(path); string(got) != "old" {
				t.Fatalf("after a failed %s the file holds %q, want the old contents", op, got)
			}
			filetree.Only(t, dir, "f.txt")
		})
	}
}

// TestIsTemp: the names os.CreateTemp makes from TempPattern are
// temporary; names that only look alike are not.
func TestIsTemp(t *testing.T) {
	dir := t.TempDir()
	for range 20 {
		f, err := os.CreateTemp(dir, TempPattern("loss.png"))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if name := filepath.Base(f.Name()); !IsTemp(name, "loss.png") {
			t.Errorf("%s, made by os.CreateTemp, is not recognised", name)
		}
	}
	for _, name := range []string{".loss.png.tmp-", ".loss.png.tmp-12x", "loss.png.tmp-12", ".loss.png.tmp-1/2", ".loss.png", ".last.tmp-12", ".loss.png.tmp--1"} {
		if IsTemp(name, "loss.png") {
			t.Errorf("%q is taken for a temporary file of loss.png", name)
		}
	}
}
