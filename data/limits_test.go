package data

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tick-llm/tick/internal/memory"
)

// TestReadRefusesWhatNeverEnds: devices, FIFOs and links to them are
// refused at once, by name and kind (os.ReadFile would read /dev/zero until
// memory runs out, and wait forever on a FIFO).
func TestReadRefusesWhatNeverEnds(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "zero.txt")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, kind string }{
		{"/dev/zero", "a character device"}, {"/dev/urandom", "a character device"}, {link, "a character device"}, {fifo, "a FIFO"}, {dir, "a directory"},
	} {
		_, _, err := Read(c.path)
		want := "data file " + c.path + " is not a regular file (" + c.kind + "): give a text file"
		if err == nil || err.Error() != want {
			t.Errorf("Read(%s) = %v; want %q", c.path, err, want)
		}
	}
}

// TestReadRefusesTooLarge: a file whose text and tokens cannot fit in the
// machine's memory is refused before it is read, with the figures.
func TestReadRefusesTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(p, []byte(strings.Repeat("Of light.\n", 10000)), 0o644); err != nil { // 100 KB
		t.Fatal(err)
	}
	restore := memory.SetMachineForTest(memory.Limit{Bytes: 200e3, Source: "pretend"}, true)
	_, _, err := Read(p)
	restore()
	if err == nil || !strings.Contains(err.Error(), "is 100 KB") || !strings.Contains(err.Error(), "this machine has 200 KB (pretend)") || !strings.Contains(err.Error(), "use a smaller file") {
		t.Errorf("Read of 100 KB on a 200 KB machine = %v; want a refusal with the figures", err)
	}
	defer memory.SetMachineForTest(memory.Limit{Bytes: 1e6, Source: "pretend"}, true)()
	if _, b, err := Read(p); err != nil || len(b) != 100000 {
		t.Errorf("Read of 100 KB on a 1 MB machine = %d bytes, %v; want the file", len(b), err)
	}
}
