// Package goroot finds the real text that ships with every Go installation:
// Newton's Opticks (public domain, 567 KB) and the Go sources, which tick
// uses as its default training text and for tests and benchmarks.
//
// The Go root comes from `go env GOROOT`, which honours a GOROOT variable
// and works for binaries built with -trimpath (runtime.GOROOT, deprecated,
// is empty there).
package goroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

var (
	once    sync.Once
	rootDir string
	rootErr error
)

// Dir returns the Go root: $GOROOT if set, else what `go env GOROOT` says.
func Dir() (string, error) {
	once.Do(func() {
		if env := os.Getenv("GOROOT"); env != "" {
			rootDir = env
			return
		}
		out, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			rootErr = fmt.Errorf("cannot find the Go installation (go env GOROOT: %v); put the go command on PATH or set GOROOT", err)
			return
		}
		rootDir = strings.TrimSpace(string(out))
		if rootDir == "" {
			rootErr = errors.New("go env GOROOT printed nothing; set GOROOT to the Go installation")
		}
	})
	return rootDir, rootErr
}

// OpticksPath is where the Go installation keeps Newton's Opticks. It
// fails if the file is not there.
func OpticksPath() (string, error) {
	root, err := Dir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "src", "testdata", "Isaac.Newton-Opticks.txt")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("Newton's Opticks is not where Go keeps it (%v); reinstall Go or set GOROOT", err)
	}
	return p, nil
}

// Opticks returns the text of Newton's Opticks and the path it was read from.
func Opticks() (path string, text []byte, err error) {
	if path, err = OpticksPath(); err != nil {
		return "", nil, err
	}
	if text, err = os.ReadFile(path); err != nil {
		return "", nil, fmt.Errorf("read Newton's Opticks: %w", err)
	}
	return path, text, nil
}

// Sources returns whole .go files of the Go standard library ($GOROOT/src,
// without testdata and vendor folders), in lexical order of their paths,
// until at least limit bytes are read: the same files on every run of one
// Go version.
func Sources(limit int) ([]string, error) {
	root, err := Dir()
	if err != nil {
		return nil, err
	}
	return GoFiles(filepath.Join(root, "src"), limit)
}

// GoFiles is Sources for any folder of Go code.
func GoFiles(dir string, limit int) ([]string, error) {
	var docs []string
	total := 0
	errDone := errors.New("enough")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		// Only regular files: a link, a FIFO or a device named x.go could
		// point anywhere or never end.
		if !d.Type().IsRegular() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		docs = append(docs, string(data))
		if total += len(data); total >= limit {
			return errDone
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) && !exists(dir) {
		return nil, fmt.Errorf("folder %s does not exist: point at a folder of Go sources, e.g. $(go env GOROOT)/src", dir)
	}
	if err != nil && err != errDone {
		return nil, fmt.Errorf("read Go sources: %w", err)
	}
	return docs, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
