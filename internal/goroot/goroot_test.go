package goroot

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestOpticksIsTheBook(t *testing.T) {
	path, text, err := Opticks()
	if err != nil {
		t.Fatal(err)
	}
	// The file Go ships: the whole book, Project Gutenberg's edition.
	if len(text) < 500_000 || !bytes.Contains(text, []byte("OPTICKS")) {
		t.Fatalf("%s: %d bytes, not Newton's Opticks", path, len(text))
	}
}

func TestDirAgreesWithGoEnv(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	got, err := Dir()
	if err != nil || got != strings.TrimSpace(string(out)) {
		t.Fatalf("Dir() = %q, %v; go env GOROOT says %q", got, err, strings.TrimSpace(string(out)))
	}
}

func TestSourcesAreGoAndStable(t *testing.T) {
	a, err := Sources(200_000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sources(200_000)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range a {
		if !strings.Contains(a[i], "package ") {
			t.Fatalf("file %d is not Go source", i)
		}
		if a[i] != b[i] {
			t.Fatalf("file %d differs between two reads", i)
		}
		total += len(a[i])
	}
	if total < 200_000 || len(a) != len(b) {
		t.Fatalf("read %d bytes in %d files (and %d files the second time), want at least 200000", total, len(a), len(b))
	}
}

// TestGoFilesReadsOnlyRegularFiles: a link or a FIFO named x.go is skipped
// (a FIFO would never end), and a missing folder is one clear error.
func TestGoFilesReadsOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.go")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.go"), 0o644); err != nil {
		t.Fatal(err)
	}
	docs, err := GoFiles(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0] != "package a\n" {
		t.Errorf("read %q, want only a.go", docs)
	}
	if _, err := GoFiles(filepath.Join(dir, "missing"), 1<<20); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing folder: %v", err)
	}
}
