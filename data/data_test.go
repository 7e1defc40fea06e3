package data

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tick-llm/tick/internal/goroot"
)

func iota(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestSplit(t *testing.T) {
	tokens := iota(1000)
	tr, va, err := Split(tokens, 0.1, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 900 || len(va) != 100 || va[0] != 900 || tr[899] != 899 {
		t.Errorf("split %d/%d starting val at %d", len(tr), len(va), va[0])
	}
	if _, _, err := Split(tokens, 0.1, 100); err == nil {
		t.Error("validation part shorter than a window accepted")
	}
	if _, _, err := Split(tokens, 0, 8); err == nil {
		t.Error("val-frac 0 accepted")
	}
}

func TestTilingCoversEachTargetOnce(t *testing.T) {
	for _, tc := range []struct{ n, T int }{{10, 3}, {10, 9}, {10, 10}, {2, 5}, {65, 64}, {129, 64}} {
		count := make([]int, tc.n)
		for _, w := range Tiling(tc.n, tc.T) {
			if w.Len < 1 || w.Len > tc.T {
				t.Errorf("n=%d T=%d: window %+v", tc.n, tc.T, w)
			}
			for i := w.Start + 1; i <= w.Start+w.Len; i++ {
				count[i]++
			}
		}
		for i, c := range count {
			if want := min(i, 1); c != want {
				t.Errorf("n=%d T=%d: token %d scored %d times, want %d", tc.n, tc.T, i, c, want)
			}
		}
	}
}

// With no file named, the text is Go's copy of Opticks, byte for byte.
func TestDefaultIsOpticks(t *testing.T) {
	path, want, err := goroot.Opticks()
	if err != nil {
		t.Fatalf("this Go installation should ship Opticks: %v", err)
	}
	name, got, err := Read("")
	if err != nil || name != path || !bytes.Equal(got, want) {
		t.Fatalf("Read(\"\") = %s, %d bytes, %v; want %s, %d bytes", name, len(got), err, path, len(want))
	}
	if name, got, _ := Read(EmbeddedName); name != EmbeddedName || len(got) < 1000 {
		t.Fatalf("Read(EmbeddedName) = %s, %d bytes; want the embedded sample", name, len(got))
	}
}

func TestReadErrorsSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	for _, tc := range []struct{ name, want string }{
		{filepath.Join(dir, "missing.txt"), "does not exist: check the path"},
		{empty, "is empty; give a text file"},
		{dir, "is not a regular file (a directory): give a text file"},
		{"/dev/zero", "is not a regular file (a character device): give a text file"},
	} {
		_, _, err := Read(tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Read(%s): %v, want one line containing %q", tc.name, err, tc.want)
		}
	}
}
