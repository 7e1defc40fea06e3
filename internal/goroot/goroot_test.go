package goroot

import (
	"bytes"
	"os/exec"
	"strings"
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
