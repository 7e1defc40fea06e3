package hugepage

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/tick-llm/tick/transformer/vec"
)

// TestAdviseMarksWholePages: on Linux the whole huge pages inside a large
// buffer are marked for huge pages (smaps' VmFlags "hg"), its values are
// untouched.
func TestAdviseMarksWholePages(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux has transparent huge pages; Advise does nothing here")
	}
	s := Float32s(3 * Size / 4) // 6 MiB: at least two whole huge pages inside
	for i := range s {
		s[i] = float32(i)
	}
	start := uintptr(unsafe.Pointer(&s[0]))
	inside := (start + Size - 1) &^ (Size - 1)
	if !advised(t, inside) {
		t.Fatalf("the huge page at %#x inside a %d-byte buffer is not marked for huge pages", inside, len(s)*4)
	}
	for i, v := range s {
		if v != float32(i) {
			t.Fatalf("s[%d] = %v after advising, want %v", i, v, float32(i))
		}
	}
}

// TestAligned: a table of a huge page or more starts on a huge page, is
// zeroed and as long as asked, and on Linux is marked for huge pages to its
// last whole page; a smaller one is a plain slice.
func TestAligned(t *testing.T) {
	type slot struct{ key, meta uint64 }
	for _, n := range []int{16, Size / 16, 5*Size/16 + 3} {
		s := Aligned[slot](n)
		if len(s) != n || cap(s) != n {
			t.Fatalf("Aligned(%d): len %d cap %d", n, len(s), cap(s))
		}
		for i, x := range s {
			if x != (slot{}) {
				t.Fatalf("Aligned(%d): element %d is %+v, want zero", n, i, x)
			}
		}
		s[0], s[n-1] = slot{1, 2}, slot{3, 4}
		bytes := uintptr(n) * 16
		if bytes < Size {
			continue
		}
		start := uintptr(unsafe.Pointer(&s[0]))
		if start%Size != 0 {
			t.Fatalf("Aligned(%d) starts at %#x, not on a huge page", n, start)
		}
		if runtime.GOOS != "linux" {
			continue
		}
		for _, addr := range []uintptr{start, start + (bytes&^(Size-1) - Size)} {
			if !advised(t, addr) {
				t.Fatalf("Aligned(%d): the huge page at %#x is not marked for huge pages", n, addr)
			}
		}
	}
}

// advised reports whether the mapping holding addr has VmFlags "hg"
// (MADV_HUGEPAGE) in /proc/self/smaps.
func advised(t *testing.T, addr uintptr) bool {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatalf("read the mappings: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Contains(line+" ", " hg ")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("no mapping holds %#x", addr)
	return false
}

// mappingRange parses an smaps header line "lo-hi perms ...".
func mappingRange(line string) (lo, hi uintptr, ok bool) {
	r, _, found := strings.Cut(line, " ")
	a, b, dash := strings.Cut(r, "-")
	if !found || !dash {
		return 0, 0, false
	}
	l, err1 := strconv.ParseUint(a, 16, 64)
	h, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(l), uintptr(h), true
}

// BenchmarkMatVecPages times a matrix-vector product over llama2.c's
// stories15M classifier (32,000 x 288 float32, 35 MiB) in a buffer advised
// for huge pages and in a plain one, in the same run. Both are allocated
// and written before either is timed, so neither reuses memory the other
// already faulted in with small pages.
func BenchmarkMatVecPages(b *testing.B) {
	const rows, cols = 32000, 288
	plain, huge := make([]float32, rows*cols), Float32s(rows*cols)
	for i := range plain {
		plain[i] = float32(i%7) / 8
		huge[i] = plain[i]
	}
	x, y := make([]float32, cols), make([]float32, rows)
	for _, c := range []struct {
		name string
		w    []float32
	}{{"plain", plain}, {"huge", huge}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.w) * 4))
			for b.Loop() {
				vec.MatVec(y, c.w, x)
			}
		})
	}
}

// TestFloat32Slices: each slice has its length and capacity, starts a
// whole number of 64-byte lines after the first, and none overlaps the
// next (writing one leaves the others).
func TestFloat32Slices(t *testing.T) {
	sizes := []int{1, 0, 15, 16, 17, 1000, 3}
	s := Float32Slices(sizes)
	first := uintptr(unsafe.Pointer(&s[0][0]))
	for i, n := range sizes {
		if len(s[i]) != n || cap(s[i]) != n {
			t.Fatalf("slice %d: len %d cap %d, want %d", i, len(s[i]), cap(s[i]), n)
		}
		if n > 0 && (uintptr(unsafe.Pointer(&s[i][0]))-first)%64 != 0 {
			t.Fatalf("slice %d starts %d bytes after the first, not a whole number of 64-byte lines", i, uintptr(unsafe.Pointer(&s[i][0]))-first)
		}
		for j := range s[i] {
			s[i][j] = float32(i)
		}
	}
	for i := range sizes {
		for j, v := range s[i] {
			if v != float32(i) {
				t.Fatalf("slice %d[%d] = %v after writing the others, want %d", i, j, v, i)
			}
		}
	}
}
